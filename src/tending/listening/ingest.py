"""Storing search results: the same screen and triage as the desk's messages, one set-based insert.

Every item passes `tending.ingest.screen` (the columns' limits), is triaged in one vectorised batch, and
the batch is inserted with ON CONFLICT DO NOTHING on (query, network, network id), so a page read twice
(a retried run, two queries' overlapping walks) stores each post once and the count of new rows is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tending.connectors.bases import InboundItem
from tending.database.dialect import chunks
from tending.ingest.screen import SetAside, screen_items
from tending.listening.models import ListeningResult

_ROWS_PER_STATEMENT = 500


@dataclass
class ResultStats:
    received: int = 0
    new: int = 0
    duplicates: int = 0
    set_aside: list[SetAside] = field(default_factory=list)

    def add(self, other: ResultStats) -> None:
        self.received += other.received
        self.new += other.new
        self.duplicates += other.duplicates
        self.set_aside.extend(other.set_aside)


def _triage(items: list[InboundItem]) -> list[Any]:
    from tending.triage.classify import classify_texts  # the learned heads load on first use

    return classify_texts([it.text for it in items])


def store_results(
    session: Session,
    *,
    workspace_id: int,
    query_id: int,
    network: str,
    channel_id: int | None,
    items: list[InboundItem],
    received_at: datetime | None = None,
) -> ResultStats:
    """Store the new results of one query on one network; the caller commits (with its cursor)."""
    stats = ResultStats(received=len(items))
    items, stats.set_aside = screen_items(items)
    unique: dict[str, InboundItem] = {}
    for it in items:
        unique.setdefault(it.external_id, it)
    fresh = list(unique.values())
    if not fresh:
        stats.duplicates = len(items)
        return stats
    received = received_at or datetime.now(UTC)
    rows = []
    for it, tri in zip(fresh, _triage(fresh), strict=True):
        author = it.author
        rows.append(
            {
                "workspace_id": workspace_id,
                "query_id": query_id,
                "channel_id": channel_id,
                "network": network,
                "external_id": it.external_id,
                "kind": it.kind,
                "parent_external_id": it.parent_external_id,
                "author_external_id": author.external_id if author else None,
                "author_handle": (author.handle if author else "") or "",
                "author_name": (author.name if author else "") or "",
                "text": it.text,
                "url": it.url,
                "language": it.language or tri.language or None,
                "created_at": it.created_at,
                "received_at": received,
                "raw": it.raw,
                "sentiment": tri.sentiment,
                "sentiment_score": tri.sentiment_score,
                "intent": tri.intent,
                "urgency": tri.urgency,
                "state": "new",
            }
        )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for chunk in chunks(rows, _ROWS_PER_STATEMENT):
        statement = (
            insert(ListeningResult)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["query_id", "network", "external_id"])
            .returning(ListeningResult.id)
        )
        stats.new += len(session.execute(statement).all())
    stats.duplicates = len(items) - stats.new
    return stats
