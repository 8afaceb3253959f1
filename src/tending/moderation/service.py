"""Hiding messages, transparently: only spam or abuse, always with a reason, always audited.

A negative comment is feedback, not a moderation case: it gets an answer, not a hide. The report puts
hidden messages that triage read as legitimate criticism (negative complaint or question) next to the
number of messages answered, so a team can see at a glance whether hiding is being misused; the target
for that figure is zero.

The category is kept at the front of `Message.hidden_reason` as `"<category>: <reason>"`, so the
message row alone tells why it is hidden.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from tending.audit.service import record
from tending.auth.models import User
from tending.errors import Conflict
from tending.inbox.models import Direction, Message
from tending.inbox.reply_state import state_after_moderation

MAX_REASON = 400


class HideCategory(enum.StrEnum):
    spam = "spam"
    abuse = "abuse"


# Triage intents that mark criticism a brand must answer rather than hide.
LEGITIMATE_INTENTS = frozenset({"complaint", "question", "request"})


class ModerationRefused(Conflict, ValueError):
    """A hide request that is not moderation (wrong category, no reason, not an inbound message)."""


@dataclass(frozen=True)
class ModerationReport:
    workspace_id: int
    since: datetime
    until: datetime
    inbound: int
    answered: int
    hidden: int
    hidden_by_category: dict[str, int]
    negative_legitimate_hidden: int  # target: 0
    negative_legitimate_ids: list[int] = field(default_factory=list)
    target_negative_legitimate_hidden: int = 0


def split_hidden_reason(value: str | None) -> tuple[str, str]:
    """(category, reason) from a stored hidden_reason; unknown layouts give category "unspecified"."""
    if not value:
        return "unspecified", ""
    head, sep, tail = value.partition(": ")
    if sep and head in HideCategory.__members__:
        return head, tail
    return "unspecified", value


def looks_legitimate(sentiment: str | None, intent: str | None) -> bool:
    """Triage reads the message as criticism to answer: negative, and a complaint or a question."""
    return sentiment == "negative" and intent in LEGITIMATE_INTENTS


def hide_message(session: Session, *, message_id: int, actor: User, reason: str, category: str) -> Message:
    """Hide an inbound message as spam or abuse. Anything else is refused with the reason why."""
    try:
        cat = HideCategory(category)
    except ValueError:
        raise ModerationRefused(
            f"category: {category!r} cannot be hidden; only spam or abuse may be hidden. "
            "Negative or critical messages are answered, not hidden."
        ) from None
    reason = (reason or "").strip()
    if not reason:
        raise ModerationRefused("reason: hiding needs a reason the team can review")
    if len(reason) > MAX_REASON:
        raise ModerationRefused(f"reason: at most {MAX_REASON} characters")
    msg = session.get(Message, message_id)
    if msg is None:
        raise LookupError(f"no message with id {message_id}")
    if msg.direction != Direction.inbound.value:
        raise ModerationRefused("message: only inbound messages can be hidden")
    previous = msg.hidden_reason if msg.hidden else None
    msg.hidden = True
    msg.hidden_reason = f"{cat.value}: {reason}"
    msg.reply_state_by_id = actor.id
    state_after_moderation(session, message=msg, hidden=True)
    record(
        session,
        workspace_id=msg.workspace_id,
        actor_id=actor.id,
        action="message.hide",
        target_type="message",
        target_id=msg.id,
        detail={
            "category": cat.value,
            "reason": reason,
            "previous": previous,
            "triage": {"sentiment": msg.sentiment, "intent": msg.intent},
            # Triage may be wrong, so this does not block; it is what the report counts.
            "triage_reads_legitimate": looks_legitimate(msg.sentiment, msg.intent),
        },
    )
    return msg


def unhide_message(session: Session, *, message_id: int, actor: User, reason: str = "") -> Message:
    msg = session.get(Message, message_id)
    if msg is None:
        raise LookupError(f"no message with id {message_id}")
    if not msg.hidden:
        return msg
    was = msg.hidden_reason
    msg.hidden = False
    msg.hidden_reason = None
    msg.reply_state_by_id = actor.id
    state_after_moderation(session, message=msg, hidden=False)
    record(
        session,
        workspace_id=msg.workspace_id,
        actor_id=actor.id,
        action="message.unhide",
        target_type="message",
        target_id=msg.id,
        detail={"was": was, "reason": reason.strip()},
    )
    return msg


def moderation_report(
    session: Session, *, workspace_id: int, since: datetime, until: datetime
) -> ModerationReport:
    """Hidden messages by category and the hidden-but-legitimate count, next to inbound and answered."""
    in_period = (
        Message.workspace_id == workspace_id,
        Message.direction == Direction.inbound.value,
        Message.created_at >= since,
        Message.created_at < until,
    )
    later = aliased(Message)
    answered_clause = exists().where(
        later.conversation_id == Message.conversation_id,
        later.direction == Direction.outbound.value,
        later.created_at >= Message.created_at,
    )
    inbound = session.scalar(select(func.count()).where(*in_period)) or 0
    answered = session.scalar(select(func.count()).where(*in_period, answered_clause)) or 0
    hidden_rows = session.execute(
        select(Message.id, Message.hidden_reason, Message.sentiment, Message.intent)
        .where(*in_period, Message.hidden.is_(True))
        .order_by(Message.id)
    ).all()
    by_category: Counter[str] = Counter()
    legit: list[int] = []
    for mid, hidden_reason, sentiment, intent in hidden_rows:
        by_category[split_hidden_reason(hidden_reason)[0]] += 1
        if looks_legitimate(sentiment, intent):
            legit.append(mid)
    return ModerationReport(
        workspace_id=workspace_id,
        since=since,
        until=until,
        inbound=inbound,
        answered=answered,
        hidden=len(hidden_rows),
        hidden_by_category=dict(sorted(by_category.items())),
        negative_legitimate_hidden=len(legit),
        negative_legitimate_ids=legit,
    )
