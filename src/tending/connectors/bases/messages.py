"""Direct messages: the capability a connector declares when its network lets a brand read and answer
private conversations, and the messaging window some networks impose on answers.

Direct messages arrive as items of kind `direct` whose thread is `conversation:<network's id>` (one
thread per person), and an answer to one of them goes back as a direct message. A connector with this
capability reads them in `fetch_since` (under the cursor key `direct`, when its `listen_messages` setting
is on) and answers them in `reply`; `fetch_direct` and `reply_direct` are the same paths on their own,
so the contract suite can reach them whatever else the channel listens to.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from tending.connectors.bases.connector import ListenCapability, ReplyCapability
from tending.connectors.bases.errors import ConnectorError
from tending.connectors.bases.items import FetchResult, SentItem

DIRECT_KIND = "direct"
CURSOR_KEY = "direct"


def conversation_thread(conversation_id: str) -> str:
    """The thread id every connector gives a direct conversation."""
    return f"conversation:{conversation_id}"


class MessagingWindowClosed(ConnectorError):
    """The network refuses the answer because its messaging window has closed: not a permissions
    problem, and trying again will not help until the person writes again."""


@dataclass(frozen=True, slots=True)
class MessagingWindow:
    """How long after a person's last message a brand may answer: freely within `standard`, and by a
    person (the `HUMAN_AGENT` tag on Meta) within `human_agent`; None where the network sets no limit."""

    standard: timedelta | None = None
    human_agent: timedelta | None = None

    def state(self, last_inbound_at: datetime | None, now: datetime) -> WindowState:
        """Where a conversation stands now, given the time of the person's last message."""
        if self.standard is None or last_inbound_at is None:
            return WindowState(open=True, closes_at=None, human_agent_only=False)
        standard_end = last_inbound_at + self.standard
        if now < standard_end:
            return WindowState(open=True, closes_at=standard_end, human_agent_only=False)
        if self.human_agent is not None and now < last_inbound_at + self.human_agent:
            return WindowState(open=True, closes_at=last_inbound_at + self.human_agent, human_agent_only=True)
        return WindowState(open=False, closes_at=None, human_agent_only=False)


@dataclass(frozen=True, slots=True)
class WindowState:
    """`closes_at`: when answering stops being possible (None: no limit, or already closed);
    `human_agent_only`: past the standard window, only a person's answer (tagged) is allowed."""

    open: bool
    closes_at: datetime | None
    human_agent_only: bool


META_WINDOW = MessagingWindow(standard=timedelta(hours=24), human_agent=timedelta(days=7))
NO_WINDOW = MessagingWindow()


class DirectMessageCapability(ListenCapability, ReplyCapability):
    """Reads the brand's direct conversations and answers them privately: a connector with direct
    messages listens (they come with `fetch_since`) and replies (`reply` answers them in private)."""

    messaging_window: ClassVar[MessagingWindow] = NO_WINDOW

    @abc.abstractmethod
    def fetch_direct(self, cursor: dict[str, Any]) -> FetchResult:
        """Direct messages after `cursor` (the stream's own cursor) and the cursor to store with them."""

    @abc.abstractmethod
    def reply_direct(self, *, parent_external_id: str, text: str) -> SentItem:
        """Answer the direct message `parent_external_id` in its conversation."""

    def is_direct(self, external_id: str) -> bool:
        """Whether `external_id` names a direct message, so `reply` hands it to `reply_direct`. False
        where the id alone cannot tell: there `reply` finds out from the network (Mastodon keeps the
        parent's visibility, so an answer to a direct message stays direct)."""
        return False


def with_direct(
    connector: DirectMessageCapability, result: FetchResult, cursor: dict[str, Any], *, listen: bool
) -> FetchResult:
    """`result` of the public streams joined with a page of direct messages read under `cursor["direct"]`."""
    if not listen:
        return result
    direct = connector.fetch_direct(dict(cursor.get(CURSOR_KEY) or {}))
    items = sorted([*result.items, *direct.items], key=lambda it: (it.created_at, it.external_id))
    return FetchResult(
        items=items,
        cursor={**result.cursor, CURSOR_KEY: direct.cursor},
        has_more=result.has_more or direct.has_more,
    )
