"""Bluesky chat through the atproto SDK's chat proxy (`atproto-proxy: did:web:api.bsky.chat#bsky_chat`):
`chat.bsky.convo.listConvos` and `getMessages` in, `sendMessage` out.

The app password must allow direct messages (Bluesky's "Allow access to your direct messages" box), or
the chat service answers 401/403. Conversations come most recently active first, each with a `rev`
that changes on every message; the cursor keeps, per conversation, the `rev` of the newest message
delivered (message revs grow with time), so a poll reads only conversations whose `rev` moved, and in
them only the messages above the stored one. An item's id is `<convoId>/<messageId>` so an answer goes
to its conversation; post items are `at://` uris, so the two never meet. Bluesky sets no messaging
window; a person may stop accepting messages from accounts they do not follow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from atproto import Client, models

from tending.connectors.bases import AuthorProfile, FetchResult, InboundItem, MalformedResponse, SentItem
from tending.connectors.bases.messages import DIRECT_KIND, conversation_thread
from tending.connectors.bluesky.client import NETWORK, call, json_content

_MESSAGE_TYPE = "chat.bsky.convo.defs#messageView"
_MAX_MESSAGE_PAGES = 10


def is_direct(external_id: str) -> bool:
    return not external_id.startswith("at://")


def fetch(
    chat: Client,
    cursor: dict[str, Any],
    *,
    own_did: str,
    page_size: int,
    start: str,
    when: Callable[[Any, str], datetime],
    profile: Callable[[dict[str, Any]], AuthorProfile],
) -> FetchResult:
    """One page of conversations; conversations whose `rev` moved are read down to the stored message."""
    seen: dict[str, str] = dict(cursor.get("convos") or {})
    fresh = not seen and "page" not in cursor
    params = models.ChatBskyConvoListConvos.Params(limit=page_size, cursor=cursor.get("page"))
    response = call(lambda: chat.invoke_query("chat.bsky.convo.listConvos", params=params), what="listConvos")
    content = json_content(response, what="listConvos")
    convos = content.get("convos")
    if not isinstance(convos, list):
        raise MalformedResponse("listConvos: no convos list", network=NETWORK)
    items: list[InboundItem] = []
    unchanged = False
    for convo in convos:
        convo_id = str(convo.get("id") or "")
        last = convo.get("lastMessage") or {}
        if not convo_id:
            raise MalformedResponse("listConvos: a convo without id", network=NETWORK)
        if seen.get(convo_id) is not None and seen.get(convo_id) == last.get("rev"):
            unchanged = True  # everything below is older activity
            break
        members = {str(m["did"]): profile(m) for m in convo.get("members") or [] if m.get("did")}
        messages, newest = _messages(
            chat, convo_id, seen.get(convo_id), first_page_only=fresh and start == "latest"
        )
        items += [_item(convo_id, m, members, own_did=own_did, when=when) for m in messages]
        if newest:
            seen[convo_id] = newest
    next_page = content.get("cursor")
    more = bool(next_page) and not unchanged and not (fresh and start == "latest")
    new_cursor: dict[str, Any] = {"convos": seen}
    if more:
        new_cursor["page"] = str(next_page)
    items.sort(key=lambda it: (it.created_at, it.external_id))
    return FetchResult(items=items, cursor=new_cursor, has_more=more)


def _messages(
    chat: Client, convo_id: str, floor_rev: str | None, *, first_page_only: bool
) -> tuple[list[dict[str, Any]], str | None]:
    """The conversation's messages above `floor_rev`, and the newest rev seen."""
    found: list[dict[str, Any]] = []
    newest: str | None = floor_rev
    page: str | None = None
    for _ in range(_MAX_MESSAGE_PAGES):
        params = models.ChatBskyConvoGetMessages.Params(convo_id=convo_id, cursor=page, limit=100)
        query = partial(chat.invoke_query, "chat.bsky.convo.getMessages", params=params)
        response = call(query, what="getMessages")
        content = json_content(response, what="getMessages")
        messages = content.get("messages")
        if not isinstance(messages, list):
            raise MalformedResponse("getMessages: no messages list", network=NETWORK)
        above = [m for m in messages if floor_rev is None or str(m.get("rev") or "") > floor_rev]
        for message in above:
            rev = str(message.get("rev") or "")
            newest = rev if newest is None or rev > newest else newest
            if message.get("$type", _MESSAGE_TYPE) == _MESSAGE_TYPE:  # deleted messages have no text
                found.append(message)
        page = content.get("cursor")
        if first_page_only or not page or len(above) < len(messages):
            break
    return found, newest


def _item(
    convo_id: str,
    message: dict[str, Any],
    members: dict[str, AuthorProfile],
    *,
    own_did: str,
    when: Callable[[Any, str], datetime],
) -> InboundItem:
    sender = str((message.get("sender") or {}).get("did") or "")
    if not message.get("id") or not sender:
        raise MalformedResponse("getMessages: a message without id or sender", network=NETWORK)
    return InboundItem(
        external_id=f"{convo_id}/{message['id']}",
        kind=DIRECT_KIND,
        text=str(message.get("text") or ""),
        created_at=when(message.get("sentAt"), "message sentAt"),
        author=members.get(sender) or AuthorProfile(external_id=sender),
        direction="outbound" if sender == own_did else "inbound",
        thread_external_id=conversation_thread(convo_id),
        url="https://bsky.app/messages/" + convo_id,
        raw=json.dumps(message, ensure_ascii=False),
    )


def send(chat: Client, parent_external_id: str, text: str) -> SentItem:
    convo_id = parent_external_id.split("/", 1)[0]
    data = models.ChatBskyConvoSendMessage.Data(
        convo_id=convo_id, message=models.ChatBskyConvoDefs.MessageInput(text=text)
    )
    sent = call(lambda: chat.chat.bsky.convo.send_message(data), what="sendMessage")
    return SentItem(
        external_id=f"{convo_id}/{sent.id}",
        created_at=datetime.now(UTC),
        url="https://bsky.app/messages/" + convo_id,
        raw={"id": sent.id, "rev": sent.rev},
    )
