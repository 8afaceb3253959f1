"""Which conversations count: those with at least one inbound message that is not hidden as spam or abuse.

A conversation made only of hidden spam needs no answer, so it neither raises SLA alerts nor lowers the
response rate. Hiding is watched by the moderation report, which counts hidden criticism (target zero).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists

from tending.inbox.models import Conversation, Direction, Message


def has_visible_inbound() -> ColumnElement[bool]:
    return exists().where(
        Message.conversation_id == Conversation.id,
        Message.direction == Direction.inbound.value,
        Message.hidden.is_(False),
    )
