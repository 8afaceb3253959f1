"""A deterministic connector for tests and the demo: it serves items from a generic JSONL file.

Configuration: `source` (a JSONL file in the generic format), `page_size`, and `fail` — a map
from page number to an error (`auth`, `rate_limit`, `upstream`, `malformed`) to rehearse failures.
Replies and posts get ids derived from their content, so a retried publish returns the same id, as a
network honouring an idempotency key would.

It exists only where `demo_connectors` is set, and then reads only regular files inside the demo
folder (`<data_dir>/demo`), at most `MAX_SOURCE_BYTES`: a channel's configuration is written by
members, and must never name another workspace's files, a server path or a device.
"""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePath
from typing import Any

import orjson
from pydantic import ValidationInfo, field_validator

from tending.connectors.bases import (
    AuthExpired,
    Connector,
    ConnectorConfig,
    FetchResult,
    ListenCapability,
    MalformedResponse,
    MetricPoint,
    MetricsCapability,
    NotPermitted,
    PublishCapability,
    RateLimited,
    ReplyCapability,
    ReviewCapability,
    ReviewDecision,
    SentItem,
    UpstreamError,
)
from tending.connectors.fake.search import FakeSearching
from tending.ingest.generic import item_from_record

MAX_SOURCE_BYTES = 64 * 1024 * 1024
DISABLED = "test connectors are disabled on this install (TENDING_DEMO_CONNECTORS)"


def _demo_file(demo_dir: Path, name: str) -> Path:
    """`name` (relative to the demo folder, or absolute inside it) resolved, links followed, and checked
    to stay inside the folder; ValueError otherwise."""
    if "\x00" in name or ".." in PurePath(name).parts:
        raise ValueError("must name a file inside the demo folder")
    root = demo_dir.resolve()
    path = (root / name).resolve()  # an absolute `name` replaces root and is checked the same way
    if not path.is_relative_to(root) or path == root:
        raise ValueError("must name a file inside the demo folder")
    return path


def _read_demo_file(demo_dir: Path, name: str) -> bytes:
    """The bytes of a regular file of the demo folder, opened without following a last-moment link.
    A device, a pipe or an oversized file never gets better: NotPermitted stops the channel."""
    path = _demo_file(demo_dir, name)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        raise MalformedResponse(f"source {name!r} cannot be read (fake)", network="fake") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotPermitted(f"source {name!r} is not a regular file (fake)", network="fake")
        data = fh.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise NotPermitted(f"source {name!r} is larger than {MAX_SOURCE_BYTES} bytes (fake)", network="fake")
    return data


class FakeConfig(ConnectorConfig):
    """`source` and `metrics_source` name files of the demo folder (relative to it, or absolute)."""

    source: str | None = None
    page_size: int = 200
    fail: dict[str, str] = {}
    metrics_source: str | None = None

    @field_validator("source", "metrics_source")
    @classmethod
    def _inside_demo_folder(cls, value: str | None, info: ValidationInfo) -> str | None:
        demo_dir = (info.context or {}).get("demo_dir")
        if value is not None and demo_dir is not None:
            _demo_file(demo_dir, value)
        return value


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


class FakeConnector(
    Connector,
    ListenCapability,
    ReplyCapability,
    PublishCapability,
    MetricsCapability,
    ReviewCapability,
    FakeSearching,
):
    slug = "fake"
    title = "Fake network"
    description = "Deterministic offline network for tests and the demo."
    config_model = FakeConfig
    config: FakeConfig
    demo_only = True
    # A post's id derives from its idempotency key: publishing twice with one key returns the same post.
    idempotent_publish = True

    def _demo_dir(self) -> Path:
        """Every call starts here: without the setting the connector does nothing at all."""
        if self.context.demo_dir is None:
            raise NotPermitted(DISABLED, network=self.slug)
        return self.context.demo_dir

    def _read(self, name: str) -> bytes:
        try:
            return _read_demo_file(self._demo_dir(), name)
        except ValueError as exc:
            raise NotPermitted(f"source {name!r} {exc} (fake)", network=self.slug) from None

    def _lines(self) -> list[bytes]:
        if not self.config.source:
            return []
        return self._read(self.config.source).splitlines()

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        self._demo_dir()
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
        self._demo_dir()
        ext = "fake-reply-" + _digest(parent_external_id, text)
        return SentItem(external_id=ext, created_at=datetime.now(UTC), url=f"https://fake.example/{ext}")

    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        self._demo_dir()
        ext = "fake-post-" + _digest(idempotency_key)
        return SentItem(external_id=ext, created_at=datetime.now(UTC), url=f"https://fake.example/{ext}")

    def decide_review(self, *, external_id: str, decision: ReviewDecision) -> None:
        """The rehearsed network accepts every decision on a withheld item."""
        self._demo_dir()

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        self._demo_dir()
        if self.config.metrics_source:
            points = []
            for line in self._read(self.config.metrics_source).splitlines():
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
