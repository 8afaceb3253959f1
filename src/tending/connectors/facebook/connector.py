"""Facebook Pages: comments on the Page's posts and Messenger conversations in; replies, posts, insights out.

Comments are read by scanning the newest posts (`tending.connectors.graph.scan`): the feed request
carries each post's newest comments (`filter(stream)` gives replies too, flat, with their `parent`), and
a post with more new comments than fit inline is walked newest-first down to its floor. Visitor posts on
the Page arrive once, as inbound posts. Messenger conversations come most recently active first; their
messages are walked down to the floor of the last poll.

Graph tells little about people: a commenter is a page-scoped id and a name (no handle, counts or
creation date), and `from` is left out unless the token has `pages_read_user_content`.
Graph has no idempotency key, so a publish retried after a lost answer can post twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from tending.connectors.bases import (
    AuthorProfile,
    FetchResult,
    InboundItem,
    MalformedResponse,
    MetricPoint,
    MetricsCapability,
    PublishCapability,
    SentItem,
)
from tending.connectors.bases.messages import META_WINDOW, DirectMessageCapability
from tending.connectors.facebook.client import NETWORK, TOKEN_KEYS
from tending.connectors.facebook.config import FacebookConfig
from tending.connectors.facebook.mentions import tagged_edge
from tending.connectors.graph.base import GraphConnector
from tending.connectors.graph.insights import read_insights
from tending.connectors.graph.messages import GraphInbox
from tending.connectors.graph.scan import CommentSource, Entries, scan_comments
from tending.connectors.watermark import parse_time

COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url,like_count,comment_count,attachment"
_INSIGHTS_MAX_DAYS = 90


def _time(value: Any, *, what: str) -> datetime:
    parsed = parse_time(value)
    if parsed is None:
        raise MalformedResponse(f"{what}: missing or unreadable time {str(value)[:40]!r}", network=NETWORK)
    return parsed


def _dump(obj: Any) -> str:
    return orjson.dumps(obj).decode()


def _author(who: Any) -> AuthorProfile | None:
    if not isinstance(who, dict) or not who.get("id"):
        return None
    return AuthorProfile(external_id=str(who["id"]), name=str(who.get("name") or ""))


def _inbox_url(conversation: dict[str, Any]) -> str | None:
    link = str(conversation.get("link") or "")
    return f"https://www.facebook.com{link}" if link.startswith("/") else (link or None)


def _text(obj: dict[str, Any]) -> str:
    text = str(obj.get("message") or "")
    attachment = obj.get("attachment")
    if isinstance(attachment, dict):
        link = attachment.get("url") or (attachment.get("target") or {}).get("url")
        if link:
            text = f"{text}\n{link}".strip()
    return text


class FacebookConnector(GraphConnector, PublishCapability, MetricsCapability, DirectMessageCapability):
    slug = "facebook"
    title = "Facebook Page"
    description = "Comments on a Page's posts and its Messenger conversations; replies, posts and insights."
    config_model = FacebookConfig
    config: FacebookConfig

    token_keys = TOKEN_KEYS
    messaging_window = META_WINDOW

    # -- listening --------------------------------------------------------------------------------

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        new_cursor = dict(cursor)
        items: dict[str, InboundItem] = {}
        has_more = False
        if self.config.listen_comments:
            scan = scan_comments(
                self._comment_source(),
                dict(cursor.get("comments") or {}),
                recent_posts=self.config.recent_posts,
                page_size=self.config.page_size,
                max_pages=self.config.max_comment_pages,
                start=self.config.start,
            )
            for post in scan.new_posts:
                if str((post.get("from") or {}).get("id") or self.config.page_id) != self.config.page_id:
                    item = self._visitor_post(post)
                    items.setdefault(item.external_id, item)
            for post_id, comment in scan.comments:
                item = self._comment_item(post_id, comment)
                items.setdefault(item.external_id, item)
            new_cursor["comments"] = scan.state
            has_more |= scan.has_more
        if self.config.listen_mentions:
            has_more |= self.take_newest(
                tagged_edge(self.config.page_id), "tagged", cursor, new_cursor, items
            )
        if self.config.listen_messages:
            direct = self.fetch_direct(dict(cursor.get("messages") or {}))
            items.update((item.external_id, item) for item in direct.items)
            new_cursor["messages"] = direct.cursor
            has_more |= direct.has_more
        ordered = sorted(items.values(), key=lambda it: (it.created_at, it.external_id))
        return FetchResult(items=ordered, cursor=new_cursor, has_more=has_more)

    def _comment_source(self) -> CommentSource:
        size = self.config.comments_page_size
        inline = f"comments.order(reverse_chronological).filter(stream).limit({size}){{{COMMENT_FIELDS}}}"

        def feed(after: str | None, limit: int) -> dict[str, Any]:
            return self.graph.get(
                f"{self.config.page_id}/feed",
                params={
                    "fields": f"id,message,created_time,from,permalink_url,{inline}",
                    "limit": limit,
                    "after": after,
                },
                what="page feed",
            )

        def more(post_id: str, after: str) -> dict[str, Any]:
            return self.graph.get(
                f"{post_id}/comments",
                params={
                    "fields": COMMENT_FIELDS,
                    "order": "reverse_chronological",
                    "filter": "stream",
                    "limit": size,
                    "after": after,
                },
                what="post comments",
            )

        def entries(data: list[dict[str, Any]]) -> Entries:
            return [
                (_time(c.get("created_time"), what="comment"), str(c["id"]), c) for c in data if c.get("id")
            ]

        return CommentSource(
            network=NETWORK, feed=feed, more=more, entries=entries, ordered=True, signature=lambda _post: None
        )

    def _comment_item(self, post_id: str, comment: dict[str, Any]) -> InboundItem:
        parent = comment.get("parent")
        parent_id = str(parent["id"]) if isinstance(parent, dict) and parent.get("id") else None
        author = _author(comment.get("from"))
        return InboundItem(
            external_id=str(comment["id"]),
            kind="reply" if parent_id else "comment",
            text=_text(comment),
            created_at=_time(comment.get("created_time"), what="comment"),
            author=author,
            direction="outbound" if author and author.external_id == self.config.page_id else "inbound",
            parent_external_id=parent_id or post_id,
            thread_external_id=post_id,
            url=comment.get("permalink_url"),
            raw=_dump(comment),
        )

    def _visitor_post(self, post: dict[str, Any]) -> InboundItem:
        shown = {k: v for k, v in post.items() if k != "comments"}
        return InboundItem(
            external_id=str(post["id"]),
            kind="post",
            text=_text(post),
            created_at=_time(post.get("created_time"), what="post"),
            author=_author(post.get("from")),
            thread_external_id=str(post["id"]),
            url=post.get("permalink_url"),
            raw=_dump(shown),
        )

    @property
    def inbox(self) -> GraphInbox:
        """Messenger conversations of the Page."""
        return GraphInbox(
            graph=self.graph,
            network=NETWORK,
            platform="messenger",
            page_id=self.config.page_id,
            own_ids=frozenset({self.config.page_id}),
            page_size=self.config.page_size,
            messages_page_size=self.config.messages_page_size,
            start=self.config.start,
            human_agent_tag=self.config.human_agent_tag,
            url_of=_inbox_url,
        )

    def fetch_direct(self, cursor: dict[str, Any]) -> FetchResult:
        return self.inbox.fetch(cursor)

    def reply_direct(self, *, parent_external_id: str, text: str) -> SentItem:
        return self.inbox.send(parent_external_id, text)

    def is_direct(self, external_id: str) -> bool:
        return external_id.startswith("m_")

    # -- writing ----------------------------------------------------------------------------------

    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        """A Messenger message (`m_…`) is answered through the Send API within Messenger's 24-hour window;
        a comment is answered under its top-level comment (Facebook threads one level deep); a post
        (`<page id>_…`) gets a comment."""
        if self.is_direct(parent_external_id):
            return self.reply_direct(parent_external_id=parent_external_id, text=text)
        target = parent_external_id
        if not parent_external_id.startswith(f"{self.config.page_id}_"):
            found = self.graph.get(parent_external_id, params={"fields": "id,parent{id}"}, what="comment")
            parent = found.get("parent")
            if isinstance(parent, dict) and parent.get("id"):
                target = str(parent["id"])
        answer = self.graph.post(f"{target}/comments", data={"message": text}, what="reply")
        return self._sent(answer, url=None)

    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        """A text post, or photos: each image is uploaded unpublished, then attached to one feed post."""
        data: dict[str, Any] = {"message": text}
        for index, url in enumerate(media_urls or []):
            photo = self.graph.post(
                f"{self.config.page_id}/photos", data={"url": url, "published": "false"}, what="upload photo"
            )
            if not photo.get("id"):
                raise MalformedResponse("upload photo: no id in the answer", network=NETWORK)
            data[f"attached_media[{index}]"] = _dump({"media_fbid": str(photo["id"])})
        answer = self.graph.post(f"{self.config.page_id}/feed", data=data, what="publish")
        post_id = str(answer.get("id") or "")
        return self._sent(answer, url=f"https://www.facebook.com/{post_id}" if post_id else None)

    def find_published(
        self, *, text: str, idempotency_key: str, since: datetime, media_urls: list[str] | None = None
    ) -> SentItem | None:
        entry = self.find_own_post(
            f"{self.config.page_id}/posts",
            text_field="message",
            time_field="created_time",
            link_field="permalink_url",
            text=text,
            since=since,
        )
        if entry is None:
            return None
        return self._sent(
            entry, url=str(entry.get("permalink_url") or "") or f"https://www.facebook.com/{entry['id']}"
        )

    def _sent(self, answer: dict[str, Any], *, url: str | None) -> SentItem:
        if not answer.get("id"):
            raise MalformedResponse("the answer has no id", network=NETWORK)
        return SentItem(external_id=str(answer["id"]), created_at=datetime.now(UTC), url=url, raw=answer)

    # -- metrics ----------------------------------------------------------------------------------

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Today's follower and like counts, plus daily Page insights between the two times."""
        page = self.graph.get(
            self.config.page_id, params={"fields": "followers_count,fan_count"}, what="page"
        )
        now = datetime.now(UTC)
        points = [
            MetricPoint(name=name, at=now, value=float(page[field]))
            for name, field in (("followers", "followers_count"), ("page_likes", "fan_count"))
            if isinstance(page.get(field), int)
        ]
        points += read_insights(
            self.graph,
            object_id=self.config.page_id,
            metrics=self.config.insights_metrics,
            since=since,
            until=until,
            max_days=_INSIGHTS_MAX_DAYS,
        )
        return points
