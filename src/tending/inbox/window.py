"""Where a direct conversation stands against its network's messaging window, said in the thread.

Meta (Messenger, Instagram) lets a brand answer freely for 24 hours after the person's last message,
then only a person's answer tagged `HUMAN_AGENT` for 7 days, then nothing until the person writes again.
The thread says which of these holds now and until when, so nobody drafts an answer that will bounce.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tending.channel.models import Channel
from tending.connectors.bases.messages import DirectMessageCapability
from tending.connectors.registry import UnknownNetwork, get_connector_class
from tending.inbox.models import Conversation, Direction, Message, MessageKind

# Under this much time left, the notice asks for haste.
_HURRY_HOURS = 4.0
# The messaging product a person knows, where it is not the network's name.
_PRODUCT = {"facebook": "Messenger"}


def _duration(hours: float) -> str:
    """A wait as precise as it deserves: "5 days 17 h", "21 h 05 min", "40 min"."""
    minutes = int(hours * 60)
    if hours >= 48:
        return f"{minutes // 1440} days {minutes % 1440 // 60} h"
    if hours >= 1:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes} min"


@dataclass(frozen=True, slots=True)
class WindowNotice:
    level: Literal["open", "closing", "human_agent", "closed"]
    text: str
    closes_at: datetime | None


def window_notice(
    session: Session, *, conversation: Conversation, channel: Channel, now: datetime
) -> WindowNotice | None:
    """None where the network sets no window or the thread holds no direct message from a person."""
    try:
        connector = get_connector_class(channel.network)
    except UnknownNetwork:
        return None
    if not issubclass(connector, DirectMessageCapability) or connector.messaging_window.standard is None:
        return None
    last = session.scalar(
        select(func.max(Message.created_at)).where(
            Message.conversation_id == conversation.id,
            Message.direction == Direction.inbound.value,
            Message.kind == MessageKind.direct.value,
        )
    )
    if last is None:
        return None
    window = connector.messaging_window
    tag_allowed = bool((channel.config or {}).get("human_agent_tag", True))
    if not tag_allowed:
        window = type(window)(standard=window.standard, human_agent=None)
    state = window.state(last, now)
    name = _PRODUCT.get(channel.network, channel.network_label)
    if not state.open:
        return WindowNotice(
            "closed",
            f"{name} accepts no answer here now: the person's last message is older than its "
            "messaging window. The conversation reopens when they write again.",
            None,
        )
    assert state.closes_at is not None
    hours = (state.closes_at - now).total_seconds() / 3600
    left = _duration(hours)
    if state.human_agent_only:
        return WindowNotice(
            "human_agent",
            f"{name}'s 24-hour window has closed. A person at the brand may still answer, sent with the "
            f"HUMAN_AGENT tag, for {left} more; automated or promotional messages are refused.",
            state.closes_at,
        )
    level: Literal["open", "closing"] = "closing" if hours < _HURRY_HOURS else "open"
    return WindowNotice(
        level,
        f"{name} lets the brand answer for {left} more (24 hours after the person's last message).",
        state.closes_at,
    )
