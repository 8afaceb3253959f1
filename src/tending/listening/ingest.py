"""Storing search results as the desk stores messages: screen, set-based insert, then triage.

Every item passes `tending.ingest.screen` (the columns' limits). Posts already stored for the query are
found with one lookup and skipped, the rest are inserted in one executemany with ON CONFLICT DO NOTHING
on (query, network, network id) — so a page read twice, or two runs racing, store each post once and
the count of new rows is exact. `triage_results` then fills sentiment, intent and urgency of the new
rows in one vectorised batch and one bulk update, as the desk's triage does for new messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tending.connectors.bases import InboundItem
from tending.database.dialect import in_values
from tending.ingest.screen import SetAside, screen_items
from tending.listening.models import ListeningResult


@dataclass
class ResultStats:
    received: int = 0
    new: int = 0
    duplicates: int = 0
    new_ids: list[int] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)

    def add(self, other: ResultStats) -> None:
        self.received += other.received
        self.new += other.new
        self.duplicates += other.duplicates
        self.new_ids.extend(other.new_ids)
        self.set_aside.extend(other.set_aside)


def _stored(session: Session, query_id: int, network: str, ids: list[str]) -> set[str]:
    rows = session.execute(
        select(ListeningResult.external_id).where(
            ListeningResult.query_id == query_id,
            ListeningResult.network == network,
            in_values(session, ListeningResult.external_id, ids),
        )
    )
    return {r[0] for r in rows}


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
    """Store the new results of one query on one network, untriaged; the caller commits (with its
    cursor) after `triage_results` on `new_ids`."""
    stats = ResultStats(received=len(items))
    items, stats.set_aside = screen_items(items)
    unique: dict[str, InboundItem] = {}
    for it in items:
        unique.setdefault(it.external_id, it)
    stored = _stored(session, query_id, network, list(unique)) if unique else set()
    fresh = [it for ext, it in unique.items() if ext not in stored]
    if fresh:
        received = received_at or datetime.now(UTC)
        rows = [
            {
                "workspace_id": workspace_id,
                "query_id": query_id,
                "channel_id": channel_id,
                "network": network,
                "external_id": it.external_id,
                "kind": it.kind,
                "parent_external_id": it.parent_external_id,
                "author_external_id": it.author.external_id if it.author else None,
                "author_handle": (it.author.handle if it.author else "") or "",
                "author_name": (it.author.name if it.author else "") or "",
                "text": it.text,
                "url": it.url,
                "language": it.language,
                "created_at": it.created_at,
                "received_at": received,
                "raw": it.raw,
                "state": "new",
            }
            for it in fresh
        ]
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(ListeningResult)
            .on_conflict_do_nothing(index_elements=["query_id", "network", "external_id"])
            .returning(ListeningResult.id)
        )
        stats.new_ids = list(session.scalars(statement, rows))
    stats.new = len(stats.new_ids)
    stats.duplicates = len(items) - stats.new
    return stats


def triage_results(session: Session, ids: list[int]) -> int:
    """Triage the results `ids` not triaged yet (one batch, one bulk update); returns how many."""
    from tending.triage.classify import classify_texts  # the learned heads load on first use

    if not ids:
        return 0
    rows = session.execute(
        select(ListeningResult.id, ListeningResult.text, ListeningResult.language).where(
            in_values(session, ListeningResult.id, ids), ListeningResult.sentiment.is_(None)
        )
    ).all()
    if not rows:
        return 0
    found = classify_texts([text for _id, text, _lang in rows])
    session.execute(
        update(ListeningResult),
        [
            {
                "id": rid,
                "sentiment": tri.sentiment,
                "sentiment_score": tri.sentiment_score,
                "intent": tri.intent,
                "urgency": tri.urgency,
                "language": language or tri.language or None,
            }
            for (rid, _text, language), tri in zip(rows, found, strict=True)
        ],
    )
    return len(rows)
