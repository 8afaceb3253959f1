"""Actions on several queue items at once: assign, mark "no reply needed", hide as spam.

Each item is a person's message; an action on it covers that person's waiting messages in the
conversation (see `reply_state.person_item`). Every change goes through the one service function of
its action, so each is audited as if done one by one.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.auth.models import Role, User
from tending.errors import Forbidden, Refused
from tending.inbox import reply_state
from tending.inbox.models import Conversation, Message
from tending.inbox.service import assign


class BulkAction(enum.StrEnum):
    assign = "assign"
    no_reply_needed = "no_reply_needed"
    hide_spam = "hide_spam"


class BulkRefused(Refused, ValueError):
    """Nothing chosen, or a hide without the reason the team reviews later."""


class BulkForbidden(Forbidden):
    """The role may not take this action (an agency account does not moderate)."""


def _items(session: Session, *, workspace_id: int, message_ids: list[int]) -> list[int]:
    out: list[int] = []
    for mid in dict.fromkeys(message_ids):
        out.extend(reply_state.person_item(session, workspace_id=workspace_id, message_id=mid))
    return list(dict.fromkeys(out))


def apply(
    session: Session,
    *,
    workspace_id: int,
    action: BulkAction,
    message_ids: list[int],
    actor: User,
    assignee_id: int | None = None,
    reason: str = "",
) -> int:
    """Apply one action to the chosen items; returns how many messages it changed."""
    if action is BulkAction.hide_spam and actor.role == Role.agency:
        raise BulkForbidden("agency accounts cannot moderate messages")
    if not message_ids:
        raise BulkRefused("choose at least one item")
    ids = _items(session, workspace_id=workspace_id, message_ids=message_ids)
    if action is BulkAction.no_reply_needed:
        done = reply_state.mark_no_reply_needed(
            session, workspace_id=workspace_id, message_ids=ids, actor_id=actor.id, reason=reason
        )
        return len(done)
    if action is BulkAction.hide_spam:
        from tending.moderation.service import hide_message

        if not reason.strip():
            raise BulkRefused("reason: hiding as spam needs a reason the team can review")
        for mid in ids:
            hide_message(session, message_id=mid, actor=actor, reason=reason, category="spam")
        return len(ids)
    conv_ids = set(session.scalars(select(Message.conversation_id).where(Message.id.in_(ids))))
    for conv in session.scalars(select(Conversation).where(Conversation.id.in_(sorted(conv_ids)))):
        if conv.assignee_id != assignee_id:
            assign(session, conversation=conv, assignee_id=assignee_id, actor_id=actor.id)
    session.flush()
    return len(ids)
