"""Messenger and Instagram Messaging through the Graph API: conversations in, Send API answers out.

Both live on the Facebook Page: `GET /{page-id}/conversations?platform=messenger|instagram` lists the
conversations most recently active first, each with its newest messages; `POST /{page-id}/messages`
answers a person (`recipient.id`: their page-scoped or Instagram-scoped id).

Meta's standard messaging window is 24 hours after the person's last message. Past it, a person at the
brand may still answer for 7 days with `messaging_type=MESSAGE_TAG` and `tag=HUMAN_AGENT` (the app needs
the Human Agent feature); past that, Meta refuses any answer until the person writes again, which is
raised as `MessagingWindowClosed` in words a person understands, never as a permissions problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from tending.connectors.bases import (
    AuthorProfile,
    FetchResult,
    InboundItem,
    MalformedResponse,
    SentItem,
)
from tending.connectors.bases.messages import (
    DIRECT_KIND,
    META_WINDOW,
    MessagingWindowClosed,
    conversation_thread,
)
from tending.connectors.graph.client import GraphClient, data_list, next_after
from tending.connectors.watermark import Walk, parse_time

MESSAGE_FIELDS = "id,message,created_time,from,to"
WINDOW_CLOSED = (
    "the person's last message is more than 24 hours old and {network} accepts no answer now{tag_note}; "
    "the conversation reopens when they write again"
)


@dataclass(frozen=True, slots=True)
class GraphInbox:
    """One account's messages: `page_id` carries the endpoints, `own_ids` are the brand's side."""

    graph: GraphClient
    network: str
    platform: Literal["messenger", "instagram"]
    page_id: str
    own_ids: frozenset[str]
    page_size: int
    messages_page_size: int
    start: str
    human_agent_tag: bool
    url_of: Callable[[dict[str, Any]], str | None] = lambda _conversation: None

    # -- reading ----------------------------------------------------------------------------------

    def fetch(self, stored: Any) -> FetchResult:
        """Conversations come most recently active first: read them down to the last poll's floor.

        The floor rises only when a walk ends; a conversation that becomes active while a walk is paging
        moves to the top of the list and is read on the next poll.
        """
        walk = Walk.load(stored)
        first_only = walk.fresh and self.start == "latest"
        size = self.messages_page_size
        page = self.graph.get(
            f"{self.page_id}/conversations",
            params={
                "platform": self.platform,
                "fields": f"id,updated_time,link,messages.limit({size}){{{MESSAGE_FIELDS}}}",
                "limit": self.page_size,
                "after": walk.page,
            },
            what="conversations",
        )
        out: dict[str, InboundItem] = {}
        reached = False
        for conversation in data_list(page, what="conversations", network=self.network):
            if walk.floor.below(self._time(conversation.get("updated_time"), what="conversation")):
                reached = True
                break
            messages = conversation.get("messages") or {"data": []}
            while True:
                data = data_list(messages, what="messages", network=self.network)
                entries = [(self._time(m.get("created_time"), what="message"), str(m["id"]), m) for m in data]
                for message in walk.take(entries):
                    item = self.item(conversation, message)
                    out[item.external_id] = item
                after = next_after(messages)
                if first_only or not after or any(walk.floor.below(at) for at, _, _ in entries):
                    break
                messages = self.graph.get(
                    f"{conversation['id']}/messages",
                    params={"fields": MESSAGE_FIELDS, "limit": size, "after": after},
                    what="conversation messages",
                )
        walk.advance(None if first_only else next_after(page), reached_floor=reached)
        items = sorted(out.values(), key=lambda it: (it.created_at, it.external_id))
        return FetchResult(items=items, cursor=walk.dump(), has_more=walk.in_progress)

    def item(self, conversation: dict[str, Any], message: dict[str, Any]) -> InboundItem:
        author = _author(message.get("from"))
        ours = author is not None and author.external_id in self.own_ids
        return InboundItem(
            external_id=str(message["id"]),
            kind=DIRECT_KIND,
            text=str(message.get("message") or ""),
            created_at=self._time(message.get("created_time"), what="message"),
            author=author,
            direction="outbound" if ours else "inbound",
            thread_external_id=conversation_thread(str(conversation["id"])),
            url=self.url_of(conversation),
            raw=orjson.dumps(message).decode(),
        )

    # -- answering --------------------------------------------------------------------------------

    def send(self, message_id: str, text: str, *, now: datetime | None = None) -> SentItem:
        """Answer the person of message `message_id`: a standard response within 24 hours of it, a
        `HUMAN_AGENT`-tagged one within 7 days (where allowed), else Meta is asked and its refusal
        explained. The message's own time stands for the person's last message: a newer one only
        widens the window, which Meta then honours."""
        found = self.graph.get(message_id, params={"fields": "from,to,created_time"}, what="message")
        person = found.get("from") or {}
        if str(person.get("id")) in self.own_ids:
            recipients = (found.get("to") or {}).get("data") or []
            person = recipients[0] if recipients else {}
        if not person.get("id"):
            raise MalformedResponse("message: no sender to answer", network=self.network)
        state = META_WINDOW.state(parse_time(found.get("created_time")), now or datetime.now(UTC))
        body: dict[str, Any] = {"recipient": {"id": str(person["id"])}, "messaging_type": "RESPONSE"}
        if state.human_agent_only and self.human_agent_tag:
            body.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        body["message"] = {"text": text}
        try:
            answer = self.graph.post(f"{self.page_id}/messages", json_body=body, what="send message")
        except MessagingWindowClosed:
            raise MessagingWindowClosed(self.window_closed_text(), network=self.network) from None
        if not answer.get("message_id"):
            raise MalformedResponse("send message: no message_id in the answer", network=self.network)
        return SentItem(external_id=str(answer["message_id"]), created_at=datetime.now(UTC), raw=answer)

    def window_closed_text(self) -> str:
        title = "Messenger" if self.platform == "messenger" else "Instagram"
        tag_note = (
            " (a person's answer is accepted for 7 days with the HUMAN_AGENT tag; that has passed too)"
            if self.human_agent_tag
            else " (the HUMAN_AGENT tag, which allows a person's answer for 7 days, is switched off)"
        )
        return WINDOW_CLOSED.format(network=title, tag_note=tag_note)

    def _time(self, value: Any, *, what: str) -> datetime:
        parsed = parse_time(value)
        if parsed is None:
            raise MalformedResponse(
                f"{what}: missing or unreadable time {str(value)[:40]!r}", network=self.network
            )
        return parsed


def _author(who: Any) -> AuthorProfile | None:
    if not isinstance(who, dict) or not who.get("id"):
        return None
    return AuthorProfile(
        external_id=str(who["id"]), handle=str(who.get("username") or ""), name=str(who.get("name") or "")
    )
