"""Triage of stored messages: fills the message's triage fields once, and the daily sentiment counts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.database.dialect import chunks
from tending.inbox.models import Message
from tending.stats.service import count_sentiment
from tending.triage.classify import classify_texts


def triage_messages(session: Session, *, message_ids: list[int], model: str = "default") -> int:
    """Triage the inbound messages among `message_ids` not triaged yet; returns how many were."""
    done: list[int] = []
    for part in chunks(sorted(set(message_ids)), 2000):
        rows = list(
            session.scalars(
                select(Message).where(
                    Message.id.in_(part), Message.direction == "inbound", Message.sentiment.is_(None)
                )
            )
        )
        if not rows:
            continue
        results = classify_texts([m.text for m in rows], model=model)
        for msg, r in zip(rows, results, strict=True):
            msg.sentiment = r.sentiment
            msg.sentiment_score = r.sentiment_score
            msg.intent = r.intent
            msg.urgency = r.urgency
            msg.topics = r.topics
            if not msg.language:
                msg.language = r.language
            done.append(msg.id)
    session.flush()
    count_sentiment(session, message_ids=done)
    return len(done)
