"""Mastodon: mentions and direct conversations in, replies and posts out, follower counts.

Paging forward uses `min_id`, which returns the page *immediately after* an id (the Link header's
`prev` relation carries the same parameter); `since_id` would return the newest page and skip
whatever lies between, so resuming after a pause would lose items. The cursor keeps the highest
notification id and the highest conversation `last_status` id delivered.

A conversation only shows its latest status, so when one moved on since the last poll its reply chain
is read back (`/statuses/:id/context`) to recover direct messages that arrived in between.
Publishing sends the `Idempotency-Key` header: Mastodon then returns the first status for a repeated
key (kept about an hour), which makes a retried publish land once.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

from mastodon import Mastodon

from tending.connectors.bases import (
    AuthorProfile,
    Connector,
    FetchResult,
    InboundItem,
    MalformedResponse,
    MetricPoint,
    MetricsCapability,
    PublishCapability,
    SentItem,
)
from tending.connectors.bases.messages import DirectMessageCapability
from tending.connectors.mastodon.client import NETWORK, call, make_api
from tending.connectors.mastodon.config import MastodonConfig
from tending.connectors.mastodon.media import MAX_ATTACHMENTS, upload_media
from tending.connectors.mastodon.search import MastodonSearching
from tending.connectors.text import html_to_text, same_post

_DEFAULT_AVATAR_MARK = "/avatars/original/missing.png"


def _id_key(value: Any) -> tuple[int, str]:
    """Mastodon ids are numeric strings that sort by value; compare them as numbers."""
    text = str(value)
    return (len(text), text) if text.isdigit() else (0, text)


def _max_id(ids: list[Any], current: str | None) -> str | None:
    best = current
    for value in ids:
        if best is None or _id_key(value) > _id_key(best):
            best = str(value)
    return best


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _dump(obj: Any) -> str:
    return json.dumps(obj, default=_jsonable, ensure_ascii=False)


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise MalformedResponse("a status has no created_at", network=NETWORK)


def _author(account: Any) -> AuthorProfile | None:
    if not account:
        return None
    avatar = str(account.get("avatar") or account.get("avatar_static") or "")
    note = account.get("note")
    created = account.get("created_at")
    return AuthorProfile(
        external_id=str(account["id"]),
        handle=str(account.get("acct") or account.get("username") or ""),
        name=str(account.get("display_name") or ""),
        account_created_at=_time(created) if created else None,
        followers=account.get("followers_count"),
        following=account.get("following_count"),
        posts_count=account.get("statuses_count"),
        avatar_is_default=(_DEFAULT_AVATAR_MARK in avatar) if avatar else None,
        bio=html_to_text(note) if note else None,
    )


def _status_text(status: Any) -> str:
    text = html_to_text(str(status.get("content") or ""))
    warning = status.get("spoiler_text")
    return f"CW: {warning}\n\n{text}" if warning else text


class MastodonConnector(
    Connector, PublishCapability, MetricsCapability, DirectMessageCapability, MastodonSearching
):
    idempotent_publish = True  # statuses are posted with an Idempotency-Key (kept an hour by Mastodon)
    slug = "mastodon"
    title = "Mastodon"
    description = "Mentions and direct messages of a Mastodon account; replies, posts and follower counts."
    config_model = MastodonConfig
    config: MastodonConfig

    # Built on first use, per connector.
    _api: Mastodon | None = None

    @property
    def api(self) -> Mastodon:
        if self._api is None:
            self._api = make_api(
                access_token=self.credentials.get("access_token", ""),
                api_base_url=str(self.config.api_base_url).rstrip("/"),
                timeout_s=self.config.request_timeout_s,
                policy=self.context.outbound,
            )
        return self._api

    def close(self) -> None:
        if self._api is not None and getattr(self._api, "session", None) is not None:
            self._api.session.close()
        self._api = None

    # -- listening --------------------------------------------------------------------------------

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        new_cursor = dict(cursor)
        items: dict[str, InboundItem] = {}
        has_more = False
        if self.config.listen_direct:
            more, conv_min = self._conversations(cursor.get("conversations_min_id"), items)
            has_more |= more
            if conv_min is not None:
                new_cursor["conversations_min_id"] = conv_min
        if self.config.listen_mentions:
            more, notif_min = self._mentions(cursor.get("notifications_min_id"), items)
            has_more |= more
            if notif_min is not None:
                new_cursor["notifications_min_id"] = notif_min
        ordered = sorted(items.values(), key=lambda it: (it.created_at, _id_key(it.external_id)))
        return FetchResult(items=ordered, cursor=new_cursor, has_more=has_more)

    def fetch_direct(self, cursor: dict[str, Any]) -> FetchResult:
        """Direct conversations alone, under the same cursor key `fetch_since` keeps them."""
        items: dict[str, InboundItem] = {}
        more, conv_min = self._conversations(cursor.get("conversations_min_id"), items)
        ordered = sorted(items.values(), key=lambda it: (it.created_at, _id_key(it.external_id)))
        new_cursor = {"conversations_min_id": conv_min} if conv_min is not None else dict(cursor)
        return FetchResult(items=ordered, cursor=new_cursor, has_more=more)

    def reply_direct(self, *, parent_external_id: str, text: str) -> SentItem:
        return self.reply(parent_external_id=parent_external_id, text=text)

    def _start_min_id(self, stored: str | None) -> str | None:
        if stored is not None:
            return str(stored)
        return "0" if self.config.start == "beginning" else None

    def _mentions(self, stored: str | None, out: dict[str, InboundItem]) -> tuple[bool, str | None]:
        min_id = self._start_min_id(stored)
        page = call(
            self.api,
            lambda: self.api.notifications(types=["mention"], min_id=min_id, limit=self.config.page_size),
            what="notifications",
        )
        if not isinstance(page, list):
            raise MalformedResponse("notifications: expected a list", network=NETWORK)
        for notification in page:
            status = notification.get("status")
            if notification.get("type") != "mention" or not status:
                continue
            if self.config.listen_direct and status.get("visibility") == "direct":
                continue  # read through its conversation, with the conversation as thread
            item = self._item(status, kind="reply" if status.get("in_reply_to_id") else "mention")
            out.setdefault(item.external_id, item)
        has_more = min_id is not None and len(page) >= self.config.page_size
        return has_more, _max_id([n["id"] for n in page], stored)

    def _conversations(self, stored: str | None, out: dict[str, InboundItem]) -> tuple[bool, str | None]:
        min_id = self._start_min_id(stored)
        page = call(
            self.api,
            lambda: self.api.conversations(min_id=min_id, limit=self.config.page_size),
            what="conversations",
        )
        if not isinstance(page, list):
            raise MalformedResponse("conversations: expected a list", network=NETWORK)
        last_ids: list[Any] = []
        for conversation in page:
            last = conversation.get("last_status")
            if not last:
                continue
            last_ids.append(last["id"])
            others = {str(a["id"]) for a in conversation.get("accounts") or []}
            thread = f"conversation:{conversation['id']}"
            chain = [last]
            if stored is not None and last.get("in_reply_to_id"):
                context = call(self.api, partial(self.api.status_context, last["id"]), what="status context")
                chain = [
                    s
                    for s in context.get("ancestors") or []
                    if _id_key(s["id"]) > _id_key(stored) and s.get("visibility") == "direct"
                ] + chain
            for status in chain:
                ours = str(status["account"]["id"]) not in others
                item = self._item(status, kind="direct", thread=thread, outbound=ours)
                out[item.external_id] = item
        has_more = min_id is not None and len(page) >= self.config.page_size
        return has_more, _max_id(last_ids, stored)

    def _item(
        self, status: Any, *, kind: str, thread: str | None = None, outbound: bool = False
    ) -> InboundItem:
        parent = status.get("in_reply_to_id")
        return InboundItem(
            external_id=str(status["id"]),
            kind=kind,
            text=_status_text(status),
            created_at=_time(status.get("created_at")),
            author=_author(status.get("account")),
            direction="outbound" if outbound else "inbound",
            parent_external_id=str(parent) if parent else None,
            thread_external_id=thread,
            url=status.get("url") or status.get("uri"),
            language=status.get("language"),
            raw=_dump(status),
        )

    # -- writing ----------------------------------------------------------------------------------

    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        """Answer with the parent's visibility (a direct message stays direct) and mention its author."""
        parent = call(self.api, lambda: self.api.status(parent_external_id), what="status")
        acct = str(parent["account"]["acct"])
        body = text if f"@{acct}" in text else f"@{acct} {text}"
        key = hashlib.sha256(f"reply\x1f{parent_external_id}\x1f{text}".encode()).hexdigest()[:40]
        status = call(
            self.api,
            lambda: self.api.status_post(
                body,
                in_reply_to_id=parent_external_id,
                visibility=parent.get("visibility") or "public",
                idempotency_key=key,
            ),
            what="reply",
        )
        return self._sent(status)

    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        """Post publicly with up to 4 images uploaded to the instance (more are linked in the text)."""
        urls = list(media_urls or [])
        media_ids = upload_media(self.api, urls, policy=self.context.outbound) or None
        body = "\n".join([text, *urls[MAX_ATTACHMENTS:]])
        status = call(
            self.api,
            lambda: self.api.status_post(
                body, visibility="public", idempotency_key=idempotency_key, media_ids=media_ids
            ),
            what="publish",
        )
        return self._sent(status)

    def find_published(
        self, *, text: str, idempotency_key: str, since: datetime, media_urls: list[str] | None = None
    ) -> SentItem | None:
        """Mastodon keeps an Idempotency-Key for an hour; later retries find the post among the account's
        own recent statuses instead."""
        body = "\n".join([text, *(media_urls or [])])
        me = call(self.api, self.api.account_verify_credentials, what="verify credentials")
        statuses = call(
            self.api,
            lambda: self.api.account_statuses(me["id"], exclude_replies=True, exclude_reblogs=True, limit=40),
            what="own statuses",
        )
        for status in statuses or []:
            if _time(status.get("created_at")) >= since and same_post(body, str(status.get("content") or "")):
                return self._sent(status)
        return None

    def _sent(self, status: Any) -> SentItem:
        return SentItem(
            external_id=str(status["id"]),
            created_at=_time(status.get("created_at")),
            url=status.get("url") or status.get("uri"),
            raw=json.loads(_dump(status)),
        )

    # -- metrics ----------------------------------------------------------------------------------

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Mastodon only tells today's figures, so one point per figure, dated now."""
        me = call(self.api, self.api.account_verify_credentials, what="verify credentials")
        now = datetime.now(UTC)
        return [
            MetricPoint(name=name, at=now, value=float(me[field]))
            for name, field in (
                ("followers", "followers_count"),
                ("following", "following_count"),
                ("posts", "statuses_count"),
            )
            if me.get(field) is not None
        ]
