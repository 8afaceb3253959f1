"""Meta webhook notifications read into the items polling would deliver, so both store one message.

Meta posts `{"object": "page" | "instagram", "entry": [...]}` signed with the app secret
(`X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`). What is read:

- Page `feed` changes with `item: comment` (and visitor posts), verb `add`: the comment id, post id and
  parent id are the ones the Graph feed returns, so the later poll finds the message already stored.
- Instagram `comments` / `live_comments`: the comment, its media and parent. The value has no time,
  so the entry's time (when Meta sent it) stands in for the comment's.
- Instagram `mentions`: only ids arrive; the comment or caption is read through `mentioned_comment` /
  `mentioned_media` on the account when the notice is processed.
- Messenger and Instagram `messaging` events with a `message` (echoes of the brand's own sends are
  outbound): the conversation id is not in the event, so it is looked up through
  `conversations?user_id=` to thread the message with the polled ones.

Everything else (reactions, reads, deliveries, edits, removals, unknown objects and fields) is skipped.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from tending.connectors.bases import AuthorProfile, InboundItem
from tending.connectors.graph.client import GraphClient, data_list
from tending.connectors.watermark import parse_time

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="
# Feed items a visitor may add to a Page; the Page's own posts are not inbound.
_VISITOR_POSTS = frozenset({"post", "status", "photo", "video", "share"})
MENTION_COMMENT_FIELDS = "id,text,timestamp,username,like_count,media{id,permalink}"
MENTION_MEDIA_FIELDS = "id,caption,timestamp,username,permalink,media_type"


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """True when `header` is `sha256=` and the HMAC-SHA256 of the raw body under the app secret,
    compared in constant time."""
    if not header or not app_secret or not header.startswith(_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len(_PREFIX) :].strip().lower())


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta sends for `body` (tests and the benchmark sign their payloads with it)."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Mention:
    """An Instagram @mention: a comment (`comment_id`) or a caption (only `media_id`)."""

    media_id: str
    comment_id: str | None = None


@dataclass(slots=True)
class Notice:
    """One event for one account (`account_id`: the Page id or the Instagram account id).

    `item` is ready to store, except that a message's thread (`with_user`) and a mention's content
    (`mention`) are read from Graph first (`complete`).
    """

    network: str
    account_id: str
    item: InboundItem | None = None
    with_user: str | None = None
    mention: Mention | None = None


def _str(value: Any) -> str:
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _time(value: Any) -> datetime:
    """Meta's webhook times are Unix seconds, or milliseconds for messaging; missing means now."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return datetime.now(UTC)
    seconds = value / 1000 if value > 100_000_000_000 else value
    return datetime.fromtimestamp(seconds, UTC)


def _dump(obj: Any) -> str:
    return orjson.dumps(obj).decode()


def read_notification(payload: Any) -> list[Notice]:
    """The events of a notification body that tending stores; unknown shapes are skipped, never fatal."""
    if not isinstance(payload, dict):
        return []
    network = {"page": "facebook", "instagram": "instagram"}.get(_str(payload.get("object")))
    entries = payload.get("entry")
    if network is None or not isinstance(entries, list):
        return []
    notices: list[Notice] = []
    for entry in entries:
        if not isinstance(entry, dict) or not _str(entry.get("id")):
            continue
        account = _str(entry["id"])
        at = _time(entry.get("time"))
        for change in entry.get("changes") or []:
            if isinstance(change, dict) and isinstance(change.get("value"), dict):
                notice = _change(network, account, at, _str(change.get("field")), change["value"])
                if notice is not None:
                    notices.append(notice)
        for event in (entry.get("messaging") or []) if isinstance(entry.get("messaging"), list) else []:
            notice = _message(network, account, event)
            if notice is not None:
                notices.append(notice)
    return notices


def _change(network: str, account: str, at: datetime, field: str, value: dict[str, Any]) -> Notice | None:
    if network == "facebook" and field == "feed":
        return _feed(account, value)
    if network == "instagram" and field in ("comments", "live_comments"):
        return _instagram_comment(account, at, value)
    if network == "instagram" and field == "mentions" and _str(value.get("media_id")):
        mention = Mention(media_id=_str(value["media_id"]), comment_id=_str(value.get("comment_id")) or None)
        return Notice(network=network, account_id=account, mention=mention)
    return None


def _feed(page_id: str, value: dict[str, Any]) -> Notice | None:
    if value.get("verb") != "add":
        return None
    item_type = _str(value.get("item"))
    who = _obj(value.get("from"))
    author = AuthorProfile(external_id=_str(who["id"]), name=_str(who.get("name"))) if who.get("id") else None
    post_id = _str(value.get("post_id"))
    at = _time(value.get("created_time"))
    text = _str(value.get("message"))
    if item_type == "comment" and _str(value.get("comment_id")) and post_id:
        parent = _str(value.get("parent_id")) or post_id
        item = InboundItem(
            external_id=_str(value["comment_id"]),
            kind="comment" if parent == post_id else "reply",
            text=text,
            created_at=at,
            author=author,
            direction="outbound" if author and author.external_id == page_id else "inbound",
            parent_external_id=parent,
            thread_external_id=post_id,
            raw=_dump(value),
        )
        return Notice(network="facebook", account_id=page_id, item=item)
    if item_type in _VISITOR_POSTS and post_id and author and author.external_id != page_id:
        item = InboundItem(
            external_id=post_id,
            kind="post",
            text="\n".join(t for t in (text, _str(value.get("link"))) if t),
            created_at=at,
            author=author,
            thread_external_id=post_id,
            raw=_dump(value),
        )
        return Notice(network="facebook", account_id=page_id, item=item)
    return None


def _instagram_comment(account: str, at: datetime, value: dict[str, Any]) -> Notice | None:
    media = _obj(value.get("media"))
    comment_id, media_id = _str(value.get("id")), _str(media.get("id"))
    if not comment_id or not media_id:
        return None
    who = _obj(value.get("from"))
    author_id, username = _str(who.get("id")), _str(who.get("username"))
    parent = _str(value.get("parent_id"))
    item = InboundItem(
        external_id=comment_id,
        kind="reply" if parent else "comment",
        text=_str(value.get("text")),
        created_at=at,
        author=AuthorProfile(external_id=author_id or username, handle=username)
        if author_id or username
        else None,
        direction="outbound" if author_id == account else "inbound",
        parent_external_id=parent or media_id,
        thread_external_id=media_id,
        raw=_dump(value),
    )
    return Notice(network="instagram", account_id=account, item=item)


def _message(network: str, account: str, event: Any) -> Notice | None:
    if not isinstance(event, dict) or not isinstance(event.get("message"), dict):
        return None
    message = event["message"]
    mid = _str(message.get("mid"))
    sender = _str(_obj(event.get("sender")).get("id"))
    recipient = _str(_obj(event.get("recipient")).get("id"))
    if not mid or not sender or message.get("is_deleted"):
        return None
    ours = bool(message.get("is_echo")) or sender == account
    links = [
        _str((a.get("payload") or {}).get("url"))
        for a in message.get("attachments") or []
        if isinstance(a, dict) and isinstance(a.get("payload"), dict)
    ]
    text = "\n".join(t for t in (_str(message.get("text")), *links) if t)
    item = InboundItem(
        external_id=mid,
        kind="direct",
        text=text,
        created_at=_time(event.get("timestamp")),
        author=AuthorProfile(external_id=sender),
        direction="outbound" if ours else "inbound",
        raw=_dump(event),
    )
    return Notice(network=network, account_id=account, item=item, with_user=recipient if ours else sender)


def complete(notices: list[Notice], graph: GraphClient, *, platform: str) -> list[InboundItem]:
    """Read what the events leave out: each message's conversation (so webhook and poll share a thread,
    `conversation:<id>` as polling names it) and each mention's comment or caption.

    `platform` is `messenger` or `instagram`. Graph errors propagate: the caller retries the notice.
    """
    items: list[InboundItem] = []
    threads: dict[str, tuple[str, str]] = {}
    for notice in notices:
        if notice.mention is not None:
            items.append(_mention_item(notice, graph))
            continue
        if notice.item is None:
            continue
        if notice.with_user:
            if notice.with_user not in threads:
                threads[notice.with_user] = _conversation(graph, platform, notice.with_user)
            thread, name = threads[notice.with_user]
            notice.item.thread_external_id = thread
            if notice.item.direction == "inbound" and notice.item.author is not None and name:
                notice.item.author.name = name
        items.append(notice.item)
    return items


def _conversation(graph: GraphClient, platform: str, user_id: str) -> tuple[str, str]:
    """The conversation with `user_id` as polling keys it, and the person's name when Graph gives it."""
    page = graph.get(
        "me/conversations",
        params={"platform": platform, "user_id": user_id, "fields": "id,participants"},
        what="conversation of the message",
    )
    found = data_list(page, what="conversations", network=graph.network)
    if not found or not _str(found[0].get("id")):
        return f"participant:{user_id}", ""
    people = (found[0].get("participants") or {}).get("data") or []
    name = next(
        (_str(p.get("name") or p.get("username")) for p in people if _str(p.get("id")) == user_id), ""
    )
    return f"conversation:{found[0]['id']}", name


def _mention_item(notice: Notice, graph: GraphClient) -> InboundItem:
    mention = notice.mention
    assert mention is not None
    if mention.comment_id:
        answer = graph.get(
            notice.account_id,
            params={
                "fields": f"mentioned_comment.comment_id({mention.comment_id}){{{MENTION_COMMENT_FIELDS}}}"
            },
            what="mentioned comment",
        )
        found = _obj(answer.get("mentioned_comment"))
        text, external_id = _str(found.get("text")), _str(found.get("id")) or mention.comment_id
    else:
        answer = graph.get(
            notice.account_id,
            params={"fields": f"mentioned_media.media_id({mention.media_id}){{{MENTION_MEDIA_FIELDS}}}"},
            what="mentioned media",
        )
        found = _obj(answer.get("mentioned_media"))
        text, external_id = _str(found.get("caption")), _str(found.get("id")) or mention.media_id
    username = _str(found.get("username"))
    media = _obj(found.get("media"))
    return InboundItem(
        external_id=external_id,
        kind="mention",
        text=text,
        created_at=parse_time(found.get("timestamp")) or datetime.now(UTC),
        author=AuthorProfile(external_id=username, handle=username) if username else None,
        thread_external_id=f"mention:{mention.media_id}",
        url=_str(found.get("permalink") or media.get("permalink")) or None,
        raw=_dump(found),
    )
