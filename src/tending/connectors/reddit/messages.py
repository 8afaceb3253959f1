"""Reddit private messages through praw: the inbox's messages in (`GET /message/inbox`, kind `t4`), an
answer out (`POST /api/comment` on the message's fullname, as praw's `Message.reply`). Needs a user
token with the `privatemessages` scope.

The inbox lists newest first and pages forward with `before=<newest fullname delivered>`, like the
other inbox streams; comment replies and mentions in the same listing are left to their own streams.
Reddit threads messages by subject chain; the desk keeps one conversation per person
(`conversation:u/<name>`), so every chain with the same person lands in one thread. Reddit sets no
messaging window.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import praw
from praw.endpoints import API_PATH

from tending.connectors.bases import AuthorProfile, FetchResult, InboundItem, MalformedResponse, SentItem
from tending.connectors.bases.messages import DIRECT_KIND, conversation_thread
from tending.connectors.reddit.client import NETWORK, call

INBOX = "message/inbox"


def is_direct(external_id: str) -> bool:
    return external_id.startswith("t4_")


def _flatten(children: list[Any]) -> list[dict[str, Any]]:
    """Messages and any replies nested under them (threaded listings), without comments."""
    out: list[dict[str, Any]] = []
    for child in children:
        data = child.get("data") if isinstance(child, dict) else None
        if not isinstance(data, dict) or not data.get("name"):
            raise MalformedResponse(f"{INBOX}: a listing child has no data.name", network=NETWORK)
        if child.get("kind") == "t4":
            out.append(data)
        replies = data.get("replies")
        if isinstance(replies, dict):
            out += _flatten(list((replies.get("data") or {}).get("children") or []))
    return out


def fetch(
    reddit: praw.Reddit,
    cursor: dict[str, Any],
    *,
    username: str | None,
    page_size: int,
    when: Callable[[Any], datetime],
    profiles: Callable[[set[str]], dict[str, dict[str, Any]]],
    author: Callable[[dict[str, Any], dict[str, dict[str, Any]]], AuthorProfile | None],
) -> FetchResult:
    """New messages after `cursor["before"]`; authors completed in one call (`profiles`)."""
    before = cursor.get("before")
    params: dict[str, str | int] = {"limit": page_size}
    if before:
        params["before"] = str(before)
    listing = call(partial(reddit.request, method="GET", path=INBOX, params=params), what=INBOX)
    data = listing.get("data") if isinstance(listing, dict) and listing.get("kind") == "Listing" else None
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(children, list):
        raise MalformedResponse(f"{INBOX}: not a Reddit listing", network=NETWORK)
    messages = _flatten(children)
    known = profiles({str(m["author_fullname"]) for m in messages if m.get("author_fullname")})
    items = [_item(m, username=username, when=when, author=author(m, known)) for m in messages]
    items.sort(key=lambda it: (it.created_at, it.external_id))
    new_cursor = {"before": str(children[0]["data"]["name"])} if children else dict(cursor)
    return FetchResult(items=items, cursor=new_cursor, has_more=bool(before) and len(children) >= page_size)


def _item(
    data: dict[str, Any],
    *,
    username: str | None,
    when: Callable[[Any], datetime],
    author: AuthorProfile | None,
) -> InboundItem:
    sender = str(data.get("author") or "")
    ours = bool(username) and sender.lower() == str(username).lower()
    person = str(data.get("dest") if ours else sender) or "[unknown]"
    subject, body = str(data.get("subject") or ""), str(data.get("body") or "")
    return InboundItem(
        external_id=str(data["name"]),
        kind=DIRECT_KIND,
        text=body if not subject or subject.lower().startswith("re:") else f"{subject}\n\n{body}",
        created_at=when(data.get("created_utc")),
        author=author,
        direction="outbound" if ours else "inbound",
        parent_external_id=str(data["parent_id"]) if data.get("parent_id") else None,
        thread_external_id=conversation_thread(f"u/{person.lower()}"),
        url=f"https://www.reddit.com/message/messages/{data.get('id')}" if data.get("id") else None,
        raw=json.dumps(data, ensure_ascii=False),
    )


def send(reddit: praw.Reddit, parent_external_id: str, text: str) -> SentItem:
    """Answer in the message's chain (the same call praw's `Message.reply` makes)."""
    answer = call(
        lambda: reddit.post(API_PATH["comment"], data={"thing_id": parent_external_id, "text": text}),
        what="message reply",
    )
    message = answer[0] if isinstance(answer, list) and answer else answer
    message_id = getattr(message, "id", None)
    if not message_id:
        raise MalformedResponse("message reply: Reddit returned no message", network=NETWORK)
    created = getattr(message, "created_utc", None)
    return SentItem(
        external_id=f"t4_{message_id}",
        created_at=datetime.fromtimestamp(float(created), UTC) if created else datetime.now(UTC),
        url=f"https://www.reddit.com/message/messages/{message_id}",
        raw={"id": message_id},
    )
