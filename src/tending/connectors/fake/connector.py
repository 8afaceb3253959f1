"""A deterministic connector for tests and the demo: it serves items from a generic JSONL file.

Configuration: `source` (path of a JSONL file in the generic format), `page_size`, and `fail` — a map
from page number to an error (`auth`, `rate_limit`, `upstream`, `malformed`) to rehearse failures.
Replies and posts get ids derived from their content, so a retried publish returns the same id, as a
network honouring an idempotency key would.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from tending.connectors.bases import (
    AuthExpired,
    Connector,
    ConnectorConfig,
    FetchResult,
    ListenCapability,
    MalformedResponse,
    MetricPoint,
    MetricsCapability,
    PublishCapability,
    RateLimited,
    ReplyCapability,
    SentItem,
    UpstreamError,
)
from tending.ingest.generic import item_from_record


class FakeConfig(ConnectorConfig):
    source: str | None = None
    page_size: int = 200
    fail: dict[str, str] = {}
    metrics_source: str | None = None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


class FakeConnector(Connector, ListenCapability, ReplyCapability, PublishCapability, MetricsCapability):
    slug = "fake"
    title = "Fake network"
    description = "Deterministic offline network for tests and the demo."
    config_model = FakeConfig
    config: FakeConfig
    # A post's id derives from its idempotency key: publishing twice with one key returns the same post.
    idempotent_publish = True

    def _lines(self) -> list[bytes]:
        if not self.config.source:
            return []
        return Path(self.config.source).read_bytes().splitlines()

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        offset = int(cursor.get("offset", 0))
        page = offset // max(self.config.page_size, 1)
        failure = self.config.fail.get(str(page))
        if failure == "auth":
            raise AuthExpired("token expired (fake)", network=self.slug, status=401)
        if failure == "rate_limit":
            raise RateLimited("slow down (fake)", retry_after=30, network=self.slug)
        if failure == "upstream":
            raise UpstreamError("server error 503 (fake)", network=self.slug, status=503)
        if failure == "malformed":
            raise MalformedResponse("response is not JSON (fake)", network=self.slug)
        lines = self._lines()
        chunk = lines[offset : offset + self.config.page_size]
        items = [item_from_record(orjson.loads(line), raw=line.decode()) for line in chunk if line.strip()]
        new_offset = offset + len(chunk)
        return FetchResult(items=items, cursor={"offset": new_offset}, has_more=new_offset < len(lines))

    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        ext = "fake-reply-" + _digest(parent_external_id, text)
        return SentItem(external_id=ext, created_at=datetime.now(UTC), url=f"https://fake.example/{ext}")

    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        ext = "fake-post-" + _digest(idempotency_key)
        return SentItem(external_id=ext, created_at=datetime.now(UTC), url=f"https://fake.example/{ext}")

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        if self.config.metrics_source:
            points = []
            for line in Path(self.config.metrics_source).read_bytes().splitlines():
                rec = orjson.loads(line)
                at = datetime.fromisoformat(rec["at"])
                if since <= at <= until:
                    points.append(MetricPoint(name=rec["name"], at=at, value=float(rec["value"])))
            return points
        # Without a source: a steady, slowly growing follower count, one point a day.
        out, day, n = [], since, 0
        while day <= until:
            out.append(MetricPoint(name="followers", at=day, value=1000.0 + 3 * n))
            day += timedelta(days=1)
            n += 1
        return out
