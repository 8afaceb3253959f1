"""Listening on news sites and blogs: the channel's `news_feeds` (RSS or Atom), filtered by the query.

Feeds have no search, so every run reads each feed (a conditional GET: an unchanged feed costs a 304)
and keeps the entries not seen before that match the query. The cursor keeps per feed its ETag,
Last-Modified and the ids already read, as the blog channel's own polling does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from tending.connectors.bases import FetchResult, InboundItem, SearchCapability, SearchQuery, SearchQuota
from tending.connectors.rss.client import FeedResponse


class RssSearching(SearchCapability):
    """Mixed into the RSS connector, which supplies `config`, `_read_feed`, `_remember` and `_item`."""

    search_quota: ClassVar[SearchQuota] = SearchQuota(
        calls=60, window_seconds=3600, note="tending's own courtesy limit: feeds publish no quota"
    )
    # Supplied by the connector this is mixed into.
    if TYPE_CHECKING:
        config: Any

        def _read_feed(
            self, url: str, states: dict[str, Any]
        ) -> tuple[FeedResponse, Any, list[tuple[str, Any]]] | None: ...

        def _remember(
            self, states: dict[str, Any], url: str, resp: FeedResponse, newest_first: list[str]
        ) -> None: ...

        def _item(self, entry: Any, ext: str, *, role: str, feed_language: str | None) -> InboundItem: ...

    def search(self, query: SearchQuery, cursor: dict[str, Any]) -> FetchResult:
        states: dict[str, Any] = dict(cursor.get("feeds") or {})
        items: list[InboundItem] = []
        for url in [str(u) for u in self.config.news_feeds]:
            read = self._read_feed(url, states)
            if read is None:
                continue
            resp, parsed, new = read
            for ext, entry in new:
                item = self._item(entry, ext, role="post", feed_language=parsed.feed.get("language"))
                item.direction = "inbound"
                if query.matches(item.text, item.language):
                    items.append(item)
            self._remember(states, url, resp, [ext for ext, _entry in reversed(new)])
        items.sort(key=lambda it: it.created_at)
        return FetchResult(items=items, cursor={"feeds": states}, has_more=False)
