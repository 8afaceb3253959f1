"""Instagram professional accounts: comments and replies on the media in; replies, posts, counts out.

Comments are read by scanning the newest media (`tending.connectors.graph.scan`). Instagram does not
promise the order of a media's comments, so a media is read only when its `comments_count` (which
counts replies) changed since the last read, and then all its pages are read, delivering what lies
above its floor. Replies come nested under their comment (`replies{...}`), more pages of them through
`/{comment-id}/replies`.

Instagram tells only a commenter's username and id. Posts need at least one image (the API publishes
no text-only posts); videos are not published here because their containers must be polled until ready.
Graph has no idempotency key, so a publish retried after a lost answer can post twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from tending.connectors.bases import (
    AuthorProfile,
    ConnectorError,
    FetchResult,
    InboundItem,
    MalformedResponse,
    MetricPoint,
    MetricsCapability,
    NotPermitted,
    PublishCapability,
    SentItem,
)
from tending.connectors.bases.messages import META_WINDOW, DirectMessageCapability, with_direct
from tending.connectors.graph.base import GraphConnector
from tending.connectors.graph.client import data_list, next_after
from tending.connectors.graph.insights import read_insights
from tending.connectors.graph.messages import GraphInbox
from tending.connectors.graph.scan import CommentSource, Entries, scan_comments
from tending.connectors.instagram.client import NETWORK, TOKEN_KEYS
from tending.connectors.instagram.config import InstagramConfig
from tending.connectors.instagram.media import check_publishing_quota, wait_until_ready
from tending.connectors.instagram.mentions import tags_edge
from tending.connectors.watermark import parse_time

REPLY_FIELDS = "id,text,timestamp,username,from,like_count,parent_id"
_INSIGHTS_MAX_DAYS = 30
_VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v")


def _time(value: Any, *, what: str) -> datetime:
    parsed = parse_time(value)
    if parsed is None:
        raise MalformedResponse(f"{what}: missing or unreadable time {str(value)[:40]!r}", network=NETWORK)
    return parsed


class InstagramConnector(GraphConnector, PublishCapability, MetricsCapability, DirectMessageCapability):
    slug = "instagram"
    title = "Instagram"
    description = (
        "Comments and direct messages of an Instagram professional account; replies, image posts, counts."
    )
    config_model = InstagramConfig
    config: InstagramConfig

    token_keys = TOKEN_KEYS
    messaging_window = META_WINDOW

    # -- listening --------------------------------------------------------------------------------

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        scan = scan_comments(
            self._comment_source(),
            dict(cursor.get("comments") or {}),
            recent_posts=self.config.recent_posts,
            page_size=self.config.page_size,
            max_pages=self.config.max_comment_pages,
            start=self.config.start,
        )
        items: dict[str, InboundItem] = {}
        for media_id, comment in scan.comments:
            item = self._item(media_id, comment)
            items.setdefault(item.external_id, item)
        new_cursor = {**cursor, "comments": scan.state}
        has_more = scan.has_more
        if self.config.listen_tags:
            has_more |= self.take_newest(tags_edge(self.config.ig_user_id), "tags", cursor, new_cursor, items)
        ordered = sorted(items.values(), key=lambda it: (it.created_at, it.external_id))
        result = FetchResult(items=ordered, cursor=new_cursor, has_more=has_more)
        return with_direct(self, result, cursor, listen=self.config.listen_messages)

    def _comment_fields(self) -> str:
        return f"id,text,timestamp,username,from,like_count,hidden,replies.limit(50){{{REPLY_FIELDS}}}"

    def _comment_source(self) -> CommentSource:
        size = self.config.comments_page_size

        def feed(after: str | None, limit: int) -> dict[str, Any]:
            return self.graph.get(
                f"{self.config.ig_user_id}/media",
                params={
                    "fields": "id,caption,media_type,permalink,timestamp,username,comments_count,"
                    f"comments.limit({size}){{{self._comment_fields()}}}",
                    "limit": limit,
                    "after": after,
                },
                what="media",
            )

        def more(media_id: str, after: str) -> dict[str, Any]:
            return self.graph.get(
                f"{media_id}/comments",
                params={"fields": self._comment_fields(), "limit": size, "after": after},
                what="media comments",
            )

        def signature(media: dict[str, Any]) -> int | None:
            count = media.get("comments_count")
            return count if isinstance(count, int) else None

        return CommentSource(
            network=NETWORK, feed=feed, more=more, entries=self._entries, ordered=False, signature=signature
        )

    def _entries(self, data: list[dict[str, Any]]) -> Entries:
        """Comments and their replies, flat; a reply carries its comment's id as `parent_id`."""
        out: Entries = []
        for comment in data:
            if not comment.get("id"):
                continue
            flat = {k: v for k, v in comment.items() if k != "replies"}
            out.append((_time(comment.get("timestamp"), what="comment"), str(comment["id"]), flat))
            for reply in self._replies(comment):
                reply = {**reply, "parent_id": str(reply.get("parent_id") or comment["id"])}
                out.append((_time(reply.get("timestamp"), what="reply"), str(reply["id"]), reply))
        return out

    def _replies(self, comment: dict[str, Any]) -> list[dict[str, Any]]:
        page = comment.get("replies")
        replies: list[dict[str, Any]] = []
        while isinstance(page, dict):
            replies += [r for r in data_list(page, what="replies", network=NETWORK) if r.get("id")]
            after = next_after(page)
            if not after:
                break
            page = self.graph.get(
                f"{comment['id']}/replies", params={"fields": REPLY_FIELDS, "after": after}, what="replies"
            )
        return replies

    def _item(self, media_id: str, comment: dict[str, Any]) -> InboundItem:
        sender = comment.get("from")
        who: dict[str, Any] = sender if isinstance(sender, dict) else {}
        username = str(comment.get("username") or who.get("username") or "")
        author_id = str(who.get("id") or username)
        ours = author_id == self.config.ig_user_id or bool(
            self.config.username and username == self.config.username
        )
        parent = comment.get("parent_id")
        return InboundItem(
            external_id=str(comment["id"]),
            kind="reply" if parent else "comment",
            text=str(comment.get("text") or ""),
            created_at=_time(comment.get("timestamp"), what="comment"),
            author=AuthorProfile(external_id=author_id, handle=username) if author_id else None,
            direction="outbound" if ours else "inbound",
            parent_external_id=str(parent) if parent else media_id,
            thread_external_id=media_id,
            raw=orjson.dumps(comment).decode(),
        )

    # -- direct messages (Instagram Messaging, `tending.connectors.graph.messages`) --------------

    @property
    def inbox(self) -> GraphInbox:
        if not self.config.page_id:
            raise NotPermitted(
                "Instagram direct messages need page_id, the Facebook Page linked to the account",
                network=NETWORK,
            )
        return GraphInbox(
            graph=self.graph,
            network=NETWORK,
            platform="instagram",
            page_id=self.config.page_id,
            own_ids=frozenset({self.config.ig_user_id, self.config.page_id}),
            page_size=self.config.page_size,
            messages_page_size=self.config.messages_page_size,
            start=self.config.start,
            human_agent_tag=self.config.human_agent_tag,
        )

    def fetch_direct(self, cursor: dict[str, Any]) -> FetchResult:
        return self.inbox.fetch(cursor)

    def reply_direct(self, *, parent_external_id: str, text: str) -> SentItem:
        return self.inbox.send(parent_external_id, text)

    def is_direct(self, external_id: str) -> bool:
        """Comment ids are numeric; Instagram message ids are opaque base64 strings."""
        return not external_id.isdigit()

    # -- writing ----------------------------------------------------------------------------------

    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        """Instagram threads one level deep: a reply to a reply goes under its comment, mentioning the
        person answered so they are notified. A direct message is answered with the Send API."""
        if self.is_direct(parent_external_id):
            return self.reply_direct(parent_external_id=parent_external_id, text=text)
        target = self.graph.get(
            parent_external_id, params={"fields": "id,parent_id,username"}, what="comment"
        )
        comment_id, body = parent_external_id, text
        if target.get("parent_id"):
            comment_id = str(target["parent_id"])
            username = str(target.get("username") or "")
            if username and f"@{username}" not in text:
                body = f"@{username} {text}"
        answer = self.graph.post(f"{comment_id}/replies", data={"message": body}, what="reply")
        return self._sent(answer)

    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        """One image, or a carousel of images: containers are created, then published in one call."""
        urls = list(media_urls or [])
        if not urls:
            raise NotPermitted("Instagram cannot publish a post without an image", network=NETWORK)
        if any(url.lower().split("?", 1)[0].endswith(_VIDEO_SUFFIXES) for url in urls):
            raise ConnectorError(
                "publishing videos to Instagram is not supported; use images", network=NETWORK
            )
        account = self.config.ig_user_id
        check_publishing_quota(self.graph, account)
        if len(urls) == 1:
            container = self._container({"image_url": urls[0], "caption": text})
        else:
            children = [self._container({"image_url": url, "is_carousel_item": "true"}) for url in urls]
            container = self._container(
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": text}
            )
        wait_until_ready(self.graph, container)
        answer = self.graph.post(f"{account}/media_publish", data={"creation_id": container}, what="publish")
        return self._sent(answer)

    def _container(self, data: dict[str, Any]) -> str:
        answer = self.graph.post(f"{self.config.ig_user_id}/media", data=data, what="media container")
        if not answer.get("id"):
            raise MalformedResponse("media container: no id in the answer", network=NETWORK)
        return str(answer["id"])

    def find_published(
        self, *, text: str, idempotency_key: str, since: datetime, media_urls: list[str] | None = None
    ) -> SentItem | None:
        entry = self.find_own_post(
            f"{self.config.ig_user_id}/media",
            text_field="caption",
            time_field="timestamp",
            link_field="permalink",
            text=text,
            since=since,
        )
        return self._sent(entry) if entry is not None else None

    def _sent(self, answer: dict[str, Any]) -> SentItem:
        if not answer.get("id"):
            raise MalformedResponse("the answer has no id", network=NETWORK)
        return SentItem(external_id=str(answer["id"]), created_at=datetime.now(UTC), raw=answer)

    # -- metrics ----------------------------------------------------------------------------------

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Today's followers, follows and media counts, plus daily account insights (Instagram keeps
        about the last 30 days of daily `follower_count`)."""
        account = self.graph.get(
            self.config.ig_user_id,
            params={"fields": "followers_count,follows_count,media_count"},
            what="account",
        )
        now = datetime.now(UTC)
        points = [
            MetricPoint(name=name, at=now, value=float(account[field]))
            for name, field in (
                ("followers", "followers_count"),
                ("following", "follows_count"),
                ("posts", "media_count"),
            )
            if isinstance(account.get(field), int)
        ]
        points += read_insights(
            self.graph,
            object_id=self.config.ig_user_id,
            metrics=self.config.insights_metrics,
            since=since,
            until=until,
            max_days=_INSIGHTS_MAX_DAYS,
        )
        return points
