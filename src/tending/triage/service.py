"""Triage of stored messages: fills the message's triage fields once, and the daily sentiment counts.

Triage runs for every inbound message right after ingestion, so its writes are batched: one read of the
texts and, on PostgreSQL, one `UPDATE ... FROM unnest(arrays) RETURNING` per chunk, whose returned rows feed
the sentiment counts directly. The `sentiment IS NULL` guard sits in that UPDATE, so a task that runs twice
for the same messages (a retry racing a slow first attempt) stores and counts each message once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Integer, String, bindparam, column, func, select, text, update
from sqlalchemy.orm import Session

from tending.database.core import UTCDateTime
from tending.database.dialect import chunks, in_values
from tending.inbox.models import URGENCY_HIGH, URGENCY_MEDIUM, Message, urgency_band
from tending.stats.service import count_sentiment_rows
from tending.triage.classify import TriageResult, classify_texts

Counted = tuple[int, int, datetime, str | None]


# One statement per chunk, whatever its length: the columns travel as eight arrays, so the statement is
# parsed and compiled once rather than once per row count.
_UPDATE_PG = text(
    """
    UPDATE message AS m SET
        sentiment = v.sentiment,
        sentiment_score = v.score,
        intent = v.intent,
        intents = v.intents::json,
        urgency = v.urgency,
        urgency_band = CASE WHEN v.urgency >= :high THEN 0 WHEN v.urgency >= :medium THEN 1 ELSE 2 END,
        topics = v.topics::json,
        language = coalesce(nullif(m.language, ''), v.language)
    FROM unnest(
        CAST(:ids AS integer[]), CAST(:sentiments AS varchar[]), CAST(:scores AS float8[]),
        CAST(:intent AS varchar[]), CAST(:intents AS text[]), CAST(:urgencies AS float8[]),
        CAST(:topics AS text[]), CAST(:languages AS varchar[])
    ) AS v(id, sentiment, score, intent, intents, urgency, topics, language)
    WHERE m.id = v.id AND m.sentiment IS NULL
    RETURNING m.workspace_id, m.channel_id, m.created_at, m.sentiment
    """
).columns(
    column("workspace_id", Integer),
    column("channel_id", Integer),
    column("created_at", UTCDateTime()),
    column("sentiment", String),
)


def _store_postgresql(session: Session, found: list[tuple[int, TriageResult]]) -> list[Counted]:
    params = {
        "ids": [mid for mid, _ in found],
        "sentiments": [r.sentiment for _, r in found],
        "scores": [r.sentiment_score for _, r in found],
        "intent": [r.intent for _, r in found],
        "intents": [orjson.dumps(r.intents).decode() for _, r in found],
        "urgencies": [r.urgency for _, r in found],
        "topics": [orjson.dumps(r.topics).decode() for _, r in found],
        "languages": [r.language for _, r in found],
        "high": URGENCY_HIGH,
        "medium": URGENCY_MEDIUM,
    }
    return [tuple(row) for row in session.execute(_UPDATE_PG, params)]


def _store_generic(
    session: Session, found: list[tuple[int, TriageResult]], meta: dict[int, Any]
) -> list[Counted]:
    table = Message.__table__
    stmt = (
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == bindparam("b_id"), table.c.sentiment.is_(None))
        .values(
            sentiment=bindparam("b_sentiment"),
            sentiment_score=bindparam("b_score"),
            intent=bindparam("b_intent"),
            intents=bindparam("b_intents", type_=JSON),
            urgency=bindparam("b_urgency"),
            urgency_band=bindparam("b_band"),
            topics=bindparam("b_topics", type_=JSON),
            language=func.coalesce(func.nullif(table.c.language, ""), bindparam("b_language")),
        )
    )
    session.execute(
        stmt,
        [
            {
                "b_id": mid,
                "b_sentiment": r.sentiment,
                "b_score": r.sentiment_score,
                "b_intent": r.intent,
                "b_intents": r.intents,
                "b_urgency": r.urgency,
                "b_band": urgency_band(r.urgency),
                "b_topics": r.topics,
                "b_language": r.language,
            }
            for mid, r in found
        ],
    )
    # One writer at a time on SQLite: what was read untriaged above is what this call stored.
    return [(*meta[mid], r.sentiment) for mid, r in found]


def triage_messages(session: Session, *, message_ids: list[int], model: str = "default") -> int:
    """Triage the inbound messages among `message_ids` not triaged yet; returns how many were."""
    postgres = session.get_bind().dialect.name == "postgresql"
    done = 0
    for part in chunks(sorted(set(message_ids)), 2000):
        rows = session.execute(
            select(Message.id, Message.text, Message.workspace_id, Message.channel_id, Message.created_at)
            .where(
                in_values(session, Message.id, part),
                Message.direction == "inbound",
                Message.sentiment.is_(None),
            )
            .order_by(Message.id)
        ).all()
        if not rows:
            continue
        results = classify_texts([r.text for r in rows], model=model)
        found = [(r.id, res) for r, res in zip(rows, results, strict=True)]
        if postgres:
            stored = _store_postgresql(session, found)
        else:
            meta = {r.id: (r.workspace_id, r.channel_id, r.created_at) for r in rows}
            stored = _store_generic(session, found, meta)
        count_sentiment_rows(session, rows=stored)
        done += len(stored)
    return done
