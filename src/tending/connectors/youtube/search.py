"""Listening on YouTube: `search.list` for new videos matching the query, and the comments under them.

`search.list(type=video, order=date, publishedAfter=…)` costs 100 quota units a call out of the
project's 10,000 a day, so one call reads one page of 50 videos, and only the `COMMENTED_VIDEOS` newest
of them have their comments read (`commentThreads.list(videoId=…)`, 1 unit each): a run is charged
`search_cost` units. A video is kept when its title or description matches; the comments under a kept
video are kept whole, since people answering a recall video rarely repeat the brand's name. The
newest `publishedAt` seen becomes `publishedAfter` once a walk through `pageToken` ends.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from tending.connectors.bases import (
    AuthorProfile,
    FetchResult,
    InboundItem,
    MalformedResponse,
    NotPermitted,
    SearchCapability,
    SearchQuery,
    SearchQuota,
)
from tending.connectors.youtube.client import NETWORK, call

COMMENTED_VIDEOS = 5
SEARCH_UNITS = 100


class YouTubeSearching(SearchCapability):
    """Mixed into the YouTube connector, which supplies `service`, `_item` and `_profiles`."""

    search_quota: ClassVar[SearchQuota] = SearchQuota(
        calls=10_000, window_seconds=86_400, unit="units", note="the Data API's daily quota per project"
    )
    search_cost: ClassVar[int] = SEARCH_UNITS + COMMENTED_VIDEOS
    # Supplied by the connector this is mixed into.
    if TYPE_CHECKING:

        @property
        def service(self) -> Any: ...

        def _item(
            self, comment: dict[str, Any], video: str, profiles: dict[str, AuthorProfile]
        ) -> InboundItem: ...

    def search(self, query: SearchQuery, cursor: dict[str, Any]) -> FetchResult:
        from tending.connectors.youtube.connector import _time

        params: dict[str, Any] = {
            "part": "snippet",
            "q": query.search_string(negate="-", either="|"),
            "type": "video",
            "order": "date",
            "maxResults": 50,
        }
        if cursor.get("after"):
            params["publishedAfter"] = cursor["after"]
        if cursor.get("page"):
            params["pageToken"] = cursor["page"]
        if len(query.languages) == 1:
            params["relevanceLanguage"] = query.languages[0]
        page = call(self.service.search().list(**params).execute, what="search")
        results = page.get("items")
        if not isinstance(results, list):
            raise MalformedResponse("search: no `items` list", network=NETWORK)
        items: list[InboundItem] = []
        top = cursor.get("top") or ""
        commented = 0
        for result in results:
            video = str((result.get("id") or {}).get("videoId") or "")
            snippet = result.get("snippet") or {}
            if not video or not isinstance(snippet, dict):
                continue
            published = str(snippet.get("publishedAt") or "")
            top = max(top, published, key=_stamp)
            text = f"{snippet.get('title') or ''}\n\n{snippet.get('description') or ''}".strip()
            if not query.matches(text):
                continue
            channel = str(snippet.get("channelId") or "")
            items.append(
                InboundItem(
                    external_id=video,
                    kind="post",
                    text=text,
                    created_at=_time(published, what="video"),
                    author=AuthorProfile(external_id=channel, name=str(snippet.get("channelTitle") or ""))
                    if channel
                    else None,
                    url=f"https://www.youtube.com/watch?v={video}",
                )
            )
            if commented < COMMENTED_VIDEOS:
                commented += 1
                items += self._comments(video)
        next_page = page.get("nextPageToken")
        if next_page:
            new_cursor = {"after": cursor.get("after"), "page": str(next_page), "top": top}
            return FetchResult(items=items, cursor=new_cursor, has_more=True)
        return FetchResult(items=items, cursor={"after": top or cursor.get("after")}, has_more=False)

    def _comments(self, video: str) -> list[InboundItem]:
        try:
            page = call(
                self.service.commentThreads()
                .list(part="snippet", videoId=video, order="time", maxResults=50, textFormat="plainText")
                .execute,
                what="video comments",
            )
        except NotPermitted:  # comments disabled on this video
            return []
        out = []
        for thread in page.get("items") or []:
            top = (thread.get("snippet") or {}).get("topLevelComment")
            if isinstance(top, dict):
                item = self._item(top, video, {})
                item.direction = "inbound"
                out.append(item)
        return out


def _stamp(value: str) -> float:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else 0.0
    except ValueError:
        return 0.0
