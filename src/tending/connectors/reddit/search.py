"""Listening on Reddit: `GET /search?type=link&sort=new` across Reddit for posts matching the query.

Reddit's search finds posts (titles and bodies), not comments. Its syntax takes `OR`, quoted phrases
and `NOT`. Results come newest first; paging forward uses `before=<newest fullname delivered>` as the
connector's own streams do, so the cursor resumes exactly (with their known limit: a deleted newest
post makes `before` answer nothing until the cursor is reset).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import praw

from tending.connectors.bases import (
    FetchResult,
    InboundItem,
    MalformedResponse,
    SearchCapability,
    SearchQuery,
    SearchQuota,
)
from tending.connectors.reddit.client import NETWORK, call


class RedditSearching(SearchCapability):
    """Mixed into the Reddit connector, which supplies `reddit`, `config`, `_profiles` and `_item`."""

    search_quota: ClassVar[SearchQuota] = SearchQuota(
        calls=100, window_seconds=60, note="Reddit's free API limit per OAuth client"
    )
    # Supplied by the connector this is mixed into.
    if TYPE_CHECKING:
        config: Any

        @property
        def reddit(self) -> praw.Reddit: ...

        def _profiles(self, fullnames: set[str]) -> dict[str, dict[str, Any]]: ...

        def _item(
            self, data: dict[str, Any], kind: str, forced: str | None, profiles: dict[str, dict[str, Any]]
        ) -> InboundItem: ...

    def search(self, query: SearchQuery, cursor: dict[str, Any]) -> FetchResult:
        from tending.connectors.reddit.connector import _children

        params: dict[str, str | int] = {
            "q": query.search_string(negate="NOT "),
            "type": "link",
            "sort": "new",
            "t": "week",
            "limit": self.config.page_size,
        }
        before = cursor.get("before")
        if before:
            params["before"] = str(before)
        listing = call(
            partial(self.reddit.request, method="GET", path="search", params=params), what="search"
        )
        children, _after = _children(listing, what="search")
        posts = []
        for child in children:
            data = child.get("data") if isinstance(child, dict) else None
            if not isinstance(data, dict) or not data.get("name"):
                raise MalformedResponse("search: a listing child has no data.name", network=NETWORK)
            if child.get("kind") == "t3":
                posts.append(data)
        profiles = self._profiles({str(d["author_fullname"]) for d in posts if d.get("author_fullname")})
        items = [self._item(d, "t3", None, profiles) for d in posts]
        items = [it for it in items if query.matches(it.text, it.language)]
        for it in items:
            it.direction = "inbound"
        items.sort(key=lambda it: (it.created_at, it.external_id))
        new_cursor = {"before": str(children[0]["data"]["name"])} if children else dict(cursor)
        more = bool(before) and len(children) >= self.config.page_size
        return FetchResult(items=items, cursor=new_cursor, has_more=more)
