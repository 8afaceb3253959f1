"""YouTube: comments and replies on a channel's videos in; replies and channel statistics out.

`commentThreads.list(allThreadsRelatedToChannelId=…, order=time)` lists threads newest first by their
top-level comment, so a poll walks pages down to the floor of the last poll (see
`tending.connectors.watermark`), one page per call. A thread carries only some of its replies; when it
has more and shows new activity, all its replies are read with `comments.list(parentId=…)`. A new reply
on a thread older than the floor is seen only while that thread is still within the pages walked.

Authors are completed from their channels (subscribers, videos, creation date, description, handle).
Publishing is a video upload, which this connector does not do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from tending.connectors.bases import (
    AuthorProfile,
    Connector,
    ConnectorContext,
    FetchResult,
    InboundItem,
    ListenCapability,
    MalformedResponse,
    MetricPoint,
    MetricsCapability,
    ReplyCapability,
    ReviewCapability,
    ReviewDecision,
    SentItem,
)
from tending.connectors.watermark import Walk, parse_time
from tending.connectors.youtube.client import NETWORK, call, make_service
from tending.connectors.youtube.config import YouTubeConfig
from tending.connectors.youtube.held import read_held, set_moderation_status
from tending.connectors.youtube.search import YouTubeSearching

_CHANNEL_BATCH = 50


def _time(value: Any, *, what: str) -> datetime:
    parsed = parse_time(value)
    if parsed is None:
        raise MalformedResponse(f"{what}: missing or unreadable time {str(value)[:40]!r}", network=NETWORK)
    return parsed


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _snippet(comment: Any) -> dict[str, Any]:
    snippet = comment.get("snippet") if isinstance(comment, dict) else None
    if not isinstance(snippet, dict) or not comment.get("id"):
        raise MalformedResponse("a comment has no id or snippet", network=NETWORK)
    return snippet


def _author_id(snippet: dict[str, Any]) -> str:
    channel = snippet.get("authorChannelId")
    return str(channel.get("value") or "") if isinstance(channel, dict) else ""


class YouTubeConnector(
    Connector, ListenCapability, ReplyCapability, MetricsCapability, ReviewCapability, YouTubeSearching
):
    slug = "youtube"
    title = "YouTube"
    description = "Comments and replies on a YouTube channel's videos; replies and channel statistics."
    config_model = YouTubeConfig
    config: YouTubeConfig

    def __init__(
        self,
        *,
        config: dict[str, Any] | None = None,
        credentials: dict[str, str] | None = None,
        context: ConnectorContext | None = None,
        http: Any | None = None,
    ) -> None:
        super().__init__(config=config, credentials=credentials, context=context)
        self._http = http
        self._service: Any | None = None

    @property
    def service(self) -> Any:
        if self._service is None:
            self._service = make_service(
                credentials=self.credentials, timeout_s=self.config.request_timeout_s, http=self._http
            )
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
        self._service = None

    # -- listening --------------------------------------------------------------------------------

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        walk = Walk.load(cursor.get("threads"))
        first_only = walk.fresh and self.config.start == "latest"
        page = call(
            self.service.commentThreads()
            .list(
                part="snippet,replies",
                allThreadsRelatedToChannelId=self.config.channel_id,
                maxResults=self.config.page_size,
                order="time",
                textFormat="plainText",
                pageToken=walk.page,
            )
            .execute,
            what="comment threads",
        )
        threads = page.get("items")
        if not isinstance(threads, list):
            raise MalformedResponse("comment threads: no `items` list", network=NETWORK)
        found: list[tuple[dict[str, Any], str]] = []
        reached = False
        for thread in threads:
            video, new, below = self._thread(thread, walk)
            reached |= below
            found += [(comment, video) for comment in new]
        next_page = page.get("nextPageToken")
        walk.advance(None if first_only else (str(next_page) if next_page else None), reached_floor=reached)
        held = (
            read_held(
                self.service,
                channel_id=self.config.channel_id,
                page_size=self.config.page_size,
                max_pages=self.config.held_max_pages,
            )
            if self.config.listen_held
            else []
        )
        everyone = {_author_id(_snippet(c)) for c, _ in found} | {_author_id(_snippet(c)) for c, _, _ in held}
        profiles = self._profiles(everyone) if everyone else {}
        items = [self._item(comment, video, profiles) for comment, video in found]
        for comment, video, review in held:
            item = self._item(comment, video, profiles)
            item.network_review = review
            items.append(item)
        items.sort(key=lambda it: (it.created_at, it.external_id))
        return FetchResult(items=items, cursor={**cursor, "threads": walk.dump()}, has_more=walk.in_progress)

    def _thread(self, thread: Any, walk: Walk) -> tuple[str, list[dict[str, Any]], bool]:
        """The new comments of one thread, its video, and whether its top comment lies under the floor."""
        snippet = thread.get("snippet") if isinstance(thread, dict) else None
        if not isinstance(snippet, dict):
            raise MalformedResponse("comment thread: no snippet", network=NETWORK)
        top: dict[str, Any] = snippet.get("topLevelComment") or {}
        top_snippet = _snippet(top)
        video = str(snippet.get("videoId") or top_snippet.get("videoId") or thread.get("id") or "")
        top_at = _time(top_snippet.get("publishedAt"), what="comment")
        replies: list[dict[str, Any]] = list((thread.get("replies") or {}).get("comments") or [])
        entries = [(top_at, str(top["id"]), top)]
        entries += [(_time(_snippet(r).get("publishedAt"), what="reply"), str(r["id"]), r) for r in replies]
        new = walk.take(entries)
        total = _int(snippet.get("totalReplyCount")) or 0
        if new and total > len(replies):
            known = {str(c["id"]) for c in new} | {str(r["id"]) for r in replies}
            every = [r for r in self._all_replies(str(top["id"])) if str(r["id"]) not in known]
            new += walk.take(
                [(_time(_snippet(r).get("publishedAt"), what="reply"), str(r["id"]), r) for r in every]
            )
        return video, new, walk.floor.below(top_at)

    def _all_replies(self, parent_id: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = call(
                self.service.comments()
                .list(
                    part="snippet",
                    parentId=parent_id,
                    maxResults=100,
                    textFormat="plainText",
                    pageToken=token,
                )
                .execute,
                what="replies",
            )
            items = page.get("items")
            if not isinstance(items, list):
                raise MalformedResponse("replies: no `items` list", network=NETWORK)
            replies += items
            token = page.get("nextPageToken")
            if not token:
                return replies

    def _profiles(self, channel_ids: set[str]) -> dict[str, AuthorProfile]:
        """Commenters' channels, 50 per request; a channel that is gone is simply absent."""
        ids = sorted(i for i in channel_ids if i)
        if not self.config.enrich_authors or not ids:
            return {}
        profiles: dict[str, AuthorProfile] = {}
        for start in range(0, len(ids), _CHANNEL_BATCH):
            batch = ids[start : start + _CHANNEL_BATCH]
            page = call(
                self.service.channels()
                .list(part="snippet,statistics", id=",".join(batch), maxResults=_CHANNEL_BATCH)
                .execute,
                what="author channels",
            )
            for channel in page.get("items") or []:
                snippet, stats = channel.get("snippet") or {}, channel.get("statistics") or {}
                hidden = bool(stats.get("hiddenSubscriberCount"))
                created = snippet.get("publishedAt")
                profiles[str(channel["id"])] = AuthorProfile(
                    external_id=str(channel["id"]),
                    handle=str(snippet.get("customUrl") or ""),
                    name=str(snippet.get("title") or ""),
                    account_created_at=parse_time(created),
                    followers=None if hidden else _int(stats.get("subscriberCount")),
                    posts_count=_int(stats.get("videoCount")),
                    bio=snippet.get("description"),
                )
        return profiles

    def _item(self, comment: dict[str, Any], video: str, profiles: dict[str, AuthorProfile]) -> InboundItem:
        snippet = _snippet(comment)
        author_id = _author_id(snippet)
        author = profiles.get(author_id)
        if author is None and author_id:
            channel_url = str(snippet.get("authorChannelUrl") or "")
            handle = channel_url.rsplit("/", 1)[-1] if "/@" in channel_url else ""
            author = AuthorProfile(
                external_id=author_id, handle=handle, name=str(snippet.get("authorDisplayName") or "")
            )
        parent = snippet.get("parentId")
        comment_id = str(comment["id"])
        return InboundItem(
            external_id=comment_id,
            kind="reply" if parent else "comment",
            text=str(snippet.get("textOriginal") or snippet.get("textDisplay") or ""),
            created_at=_time(snippet.get("publishedAt"), what="comment"),
            author=author,
            direction="outbound" if author_id == self.config.channel_id else "inbound",
            parent_external_id=str(parent) if parent else video,
            thread_external_id=video,
            url=f"https://www.youtube.com/watch?v={video}&lc={comment_id}" if video else None,
            raw=orjson.dumps(comment).decode(),
        )

    # -- writing ----------------------------------------------------------------------------------

    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        """YouTube threads one level deep: a reply (`<thread>.<reply>`) is answered in its thread,
        mentioning its author so they are notified."""
        parent, body = parent_external_id, text
        if "." in parent_external_id:
            parent = parent_external_id.split(".", 1)[0]
            found = call(
                self.service.comments().list(part="snippet", id=parent_external_id).execute, what="comment"
            )
            items = found.get("items") or []
            name = str(_snippet(items[0]).get("authorDisplayName") or "") if items else ""
            if name.startswith("@") and name not in text:
                body = f"{name} {text}"
        answer = call(
            self.service.comments()
            .insert(part="snippet", body={"snippet": {"parentId": parent, "textOriginal": body}})
            .execute,
            what="reply",
        )
        snippet = _snippet(answer)
        video = snippet.get("videoId")
        return SentItem(
            external_id=str(answer["id"]),
            created_at=parse_time(snippet.get("publishedAt")) or datetime.now(UTC),
            url=f"https://www.youtube.com/watch?v={video}&lc={answer['id']}" if video else None,
            raw=answer,
        )

    def decide_review(self, *, external_id: str, decision: ReviewDecision) -> None:
        """Publish or reject a comment YouTube held for review or as likely spam."""
        set_moderation_status(self.service, comment_id=external_id, decision=decision)

    # -- metrics ----------------------------------------------------------------------------------

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Today's subscribers (unless hidden), views and videos; the Data API keeps no history."""
        page = call(
            self.service.channels().list(part="statistics", id=self.config.channel_id).execute, what="channel"
        )
        items = page.get("items") or []
        if not items:
            raise MalformedResponse(f"channel {self.config.channel_id} not found", network=NETWORK)
        stats = items[0].get("statistics") or {}
        now = datetime.now(UTC)
        points = []
        for name, field in (
            ("subscribers", "subscriberCount"),
            ("views", "viewCount"),
            ("videos", "videoCount"),
        ):
            value = _int(stats.get(field))
            if value is not None and not (field == "subscriberCount" and stats.get("hiddenSubscriberCount")):
                points.append(MetricPoint(name=name, at=now, value=float(value)))
        return points
