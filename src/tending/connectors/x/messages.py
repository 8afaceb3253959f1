"""X direct messages through tweepy's v2 client: `GET /2/dm_events` in, `POST
/2/dm_conversations/with/:participant_id/messages` out (scopes `dm.read dm.write`, or OAuth 1.0a).

DM events come newest first and their ids grow with time, like posts: a poll walks pages down to the
newest event delivered before (the cursor's `floor`), one page per call, and raises the floor only when
the walk ends. X keeps DM events for 30 days. An item's id is `<dm_conversation_id>/<event id>`, so an
answer knows its conversation without another call; post ids are plain numbers, so the two never meet.
X sets no messaging window on DMs, but a person who does not accept DMs from the brand refuses them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import tweepy

from tending.connectors.bases import AuthorProfile, FetchResult, InboundItem, MalformedResponse, SentItem
from tending.connectors.bases.messages import DIRECT_KIND, conversation_thread
from tending.connectors.watermark import parse_time
from tending.connectors.x.client import NETWORK, call

DM_EVENT_FIELDS = [
    "id",
    "text",
    "event_type",
    "created_at",
    "dm_conversation_id",
    "sender_id",
    "participant_ids",
]
USER_FIELDS = ["created_at", "public_metrics", "profile_image_url", "description", "verified"]


def _id_key(value: Any) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() else -1


def is_direct(external_id: str) -> bool:
    return "/" in external_id


def fetch(
    client: tweepy.Client,
    cursor: dict[str, Any],
    *,
    user_id: str,
    user_auth: bool,
    page_size: int,
    start: str,
    profile: Callable[[dict[str, Any]], AuthorProfile],
) -> FetchResult:
    floor = cursor.get("floor")
    token = cursor.get("pagination_token")
    fresh = floor is None and token is None
    page = call(
        lambda: client.get_direct_message_events(
            dm_event_fields=DM_EVENT_FIELDS,
            event_types="MessageCreate",
            expansions=["sender_id"],
            user_fields=USER_FIELDS,
            max_results=page_size,
            pagination_token=token,
            user_auth=user_auth,
        ),
        what="direct messages",
    )
    events = page.get("data") or []
    users = (page.get("includes") or {}).get("users") or []
    meta = page.get("meta") or {}
    if not isinstance(events, list) or not isinstance(users, list) or not isinstance(meta, dict):
        raise MalformedResponse("direct messages: unexpected shape", network=NETWORK)
    profiles = {str(u["id"]): profile(u) for u in users if isinstance(u, dict) and u.get("id")}
    above = [e for e in events if isinstance(e, dict) and _id_key(e.get("id")) > _id_key(floor)]
    above.sort(key=lambda e: _id_key(e.get("id")))
    items = [_item(e, profiles, user_id=user_id) for e in above]
    top = max([cursor.get("top"), floor, *(e.get("id") for e in above)], key=_id_key)
    reached = len(above) < len(events)
    next_token = meta.get("next_token")
    if next_token and not reached and not (fresh and start == "latest"):
        new_cursor: dict[str, Any] = {"pagination_token": str(next_token), "top": top}
        if floor is not None:
            new_cursor["floor"] = floor
    else:
        new_cursor = {"floor": top} if top is not None else {}
    return FetchResult(items=items, cursor=new_cursor, has_more="pagination_token" in new_cursor)


def _item(event: dict[str, Any], profiles: dict[str, AuthorProfile], *, user_id: str) -> InboundItem:
    conversation = str(event.get("dm_conversation_id") or "")
    created = parse_time(event.get("created_at"))
    if not event.get("id") or not conversation or created is None:
        raise MalformedResponse("direct messages: an event without id, conversation or time", network=NETWORK)
    sender = str(event.get("sender_id") or "")
    return InboundItem(
        external_id=f"{conversation}/{event['id']}",
        kind=DIRECT_KIND,
        text=str(event.get("text") or ""),
        created_at=created,
        author=profiles.get(sender) or (AuthorProfile(external_id=sender) if sender else None),
        direction="outbound" if sender == user_id else "inbound",
        thread_external_id=conversation_thread(conversation),
        url=f"https://x.com/messages/{conversation}",
        raw=orjson.dumps(event).decode(),
    )


def send(
    client: tweepy.Client, parent_external_id: str, text: str, *, user_id: str, user_auth: bool
) -> SentItem:
    """One-to-one conversations (`<id>-<id>`) are answered to the other participant; group
    conversations by their conversation id."""
    conversation = parent_external_id.split("/", 1)[0]
    members = conversation.split("-")
    others = [m for m in members if m != user_id]
    if len(members) == 2 and len(others) == 1 and others[0].isdigit():
        answer = call(
            lambda: client.create_direct_message(participant_id=others[0], text=text, user_auth=user_auth),
            what="send direct message",
        )
    else:
        answer = call(
            lambda: client.create_direct_message(
                dm_conversation_id=conversation, text=text, user_auth=user_auth
            ),
            what="send direct message",
        )
    data = answer.get("data")
    if not isinstance(data, dict) or not data.get("dm_event_id"):
        raise MalformedResponse("send direct message: no dm_event_id in the answer", network=NETWORK)
    sent_conversation = str(data.get("dm_conversation_id") or conversation)
    return SentItem(
        external_id=f"{sent_conversation}/{data['dm_event_id']}",
        created_at=datetime.now(UTC),
        url=f"https://x.com/messages/{sent_conversation}",
        raw=answer,
    )
