"""Deciding on comments a network withholds (YouTube's held-for-review and likely-spam comments).

They reach the desk marked, so a person sees them before the public does; approving publishes the comment
on the network, rejecting keeps it off. The decision goes to the network first and is recorded only once
the network accepted it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.auth.models import User
from tending.channel.models import Channel
from tending.channel.service import build_connector
from tending.config import Settings
from tending.connectors.bases import Connector, ConnectorError, ReviewCapability, ReviewDecision
from tending.errors import Conflict
from tending.inbox.models import Message, NetworkReview

WITHHELD = frozenset({NetworkReview.held_for_review.value, NetworkReview.likely_spam.value})


class ReviewRefused(Conflict):
    """The message is not withheld, or the network refused the decision."""


def decide_network_review(
    session: Session,
    *,
    settings: Settings,
    message: Message,
    decision: ReviewDecision,
    actor: User,
    connector_factory: Callable[[Channel], Connector] | None = None,
) -> Message:
    """Approve (publish) or reject a withheld message on its network, then record it."""
    if message.network_review not in WITHHELD:
        raise ReviewRefused("this message is not waiting for a review on its network")
    channel = session.get(Channel, message.channel_id)
    assert channel is not None
    connector = (
        connector_factory(channel) if connector_factory else build_connector(channel, settings=settings)
    )
    try:
        if not isinstance(connector, ReviewCapability):
            raise ReviewRefused(f"{channel.network_label} has no review of withheld comments")
        connector.decide_review(external_id=message.external_id, decision=decision)
    except ConnectorError as exc:
        raise ReviewRefused(f"the network refused the decision: {exc}") from exc
    finally:
        connector.close()
    before = message.network_review
    message.network_review = None if decision is ReviewDecision.approve else NetworkReview.rejected.value
    record(
        session,
        workspace_id=message.workspace_id,
        actor_id=actor.id,
        action=f"message.network_review.{decision.value}",
        target_type="message",
        target_id=message.id,
        detail={"was": before},
    )
    session.flush()
    return message
