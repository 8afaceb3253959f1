"""Listening on Bluesky: `app.bsky.feed.searchPosts`, newest first, from the last post seen.

Each run asks for posts `since` the newest one stored (`sort=latest`), walking the API's cursor page by
page; the walk's top becomes the new `since` only once the walk reaches the old one, so a run stopped
half-way resumes where it was. One language is passed to the API as `lang`; several are filtered here.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from atproto import Client, models

from tending.connectors.bases import (
    FetchResult,
    InboundItem,
    MalformedResponse,
    SearchCapability,
    SearchQuery,
    SearchQuota,
)
from tending.connectors.bluesky.client import NETWORK, call, json_content


class BlueskySearching(SearchCapability):
    """Mixed into the Bluesky connector, which supplies the logged-in `client`."""

    search_quota: ClassVar[SearchQuota] = SearchQuota(
        calls=3000, window_seconds=300, note="Bluesky's limit on API requests per IP address"
    )
    # Supplied by the connector this is mixed into.
    if TYPE_CHECKING:
        config: Any

        @property
        def client(self) -> Client: ...

    def search(self, query: SearchQuery, cursor: dict[str, Any]) -> FetchResult:
        from tending.connectors.bluesky.connector import _profile, _time, _web_url

        params = models.AppBskyFeedSearchPosts.Params(
            q=query.search_string(),
            sort="latest",
            since=cursor.get("since"),
            lang=query.languages[0] if len(query.languages) == 1 else None,
            limit=self.config.page_size,
            cursor=cursor.get("walk"),
        )
        response = call(
            lambda: self.client.invoke_query("app.bsky.feed.searchPosts", params=params), what="searchPosts"
        )
        content = json_content(response, what="searchPosts")
        posts = content.get("posts")
        if not isinstance(posts, list):
            raise MalformedResponse("searchPosts: no posts list", network=NETWORK)
        items: list[InboundItem] = []
        for post in posts:
            record = post.get("record") or {}
            author = _profile(post.get("author") or {})
            langs = record.get("langs") or []
            text = str(record.get("text") or "")
            language = langs[0] if langs else None
            if not query.matches(text, language):
                continue
            reply = record.get("reply") or {}
            items.append(
                InboundItem(
                    external_id=str(post["uri"]),
                    kind="post",
                    text=text,
                    created_at=_time(record.get("createdAt") or post.get("indexedAt"), what="post createdAt"),
                    author=author,
                    parent_external_id=(reply.get("parent") or {}).get("uri"),
                    thread_external_id=(reply.get("root") or {}).get("uri"),
                    url=_web_url(str(post["uri"]), author.handle),
                    language=language,
                    raw=json.dumps(post, ensure_ascii=False),
                )
            )
        top = max(
            [cursor.get("top") or "", *(it.created_at.isoformat() for it in items)], key=_stamp, default=""
        )
        next_page = content.get("cursor")
        if next_page and posts:
            return FetchResult(
                items=items,
                cursor={"since": cursor.get("since"), "walk": next_page, "top": top},
                has_more=True,
            )
        return FetchResult(items=items, cursor={"since": top or cursor.get("since")}, has_more=False)


def _stamp(value: str) -> float:
    return datetime.fromisoformat(value).timestamp() if value else 0.0
