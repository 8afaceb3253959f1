"""Listening on news sites and blogs: the channel's `news_feeds` (RSS or Atom), filtered by the query.

Feeds have no search, so every run reads each feed (a conditional GET: an unchanged feed costs a 304)
and keeps the entries not seen before that match the query. The cursor keeps per feed its ETag,
Last-Modified and the ids already read, as the blog channel's own polling does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from tending.connectors.bases import FetchResult, InboundItem, SearchCapability, SearchQuery, SearchQuota
from tending.connectors.rss.client import FeedClient, FeedResponse


class RssSearching(SearchCapability):
    """Mixed into the RSS connector, which supplies `client`, `config`, `_parse` and `_item`."""

    search_quota: ClassVar[SearchQuota] = SearchQuota(
        calls=60, window_seconds=3600, note="tending's own courtesy limit: feeds publish no quota"
    )
    # Supplied by the connector this is mixed into.
    if TYPE_CHECKING:
        config: Any

        @property
        def client(self) -> FeedClient: ...

        def _parse(self, resp: FeedResponse) -> Any: ...

        def _item(self, entry: Any, ext: str, *, role: str, feed_language: str | None) -> InboundItem: ...

    def search(self, query: SearchQuery, cursor: dict[str, Any]) -> FetchResult:
        from tending.connectors.rss.connector import _entry_id

        states: dict[str, Any] = dict(cursor.get("feeds") or {})
        items: list[InboundItem] = []
        for url in [str(u) for u in self.config.news_feeds]:
            state = dict(states.get(url) or {})
            resp = self.client.get(url, etag=state.get("etag"), last_modified=state.get("modified"))
            if resp.status == 304:
                continue
            parsed = self._parse(resp)
            seen: list[str] = list(state.get("seen") or [])
            seen_set = set(seen)
            fresh = []
            for entry in parsed.entries:
                ext = _entry_id(entry)
                if ext is None or ext in seen_set:
                    continue
                seen_set.add(ext)
                fresh.append(ext)
                item = self._item(entry, ext, role="post", feed_language=parsed.feed.get("language"))
                item.direction = "inbound"
                if query.matches(item.text, item.language):
                    items.append(item)
            seen = list(reversed(fresh)) + seen
            state.update(etag=resp.etag, modified=resp.last_modified, seen=seen[: self.config.remember_ids])
            states[url] = state
        items.sort(key=lambda it: it.created_at)
        return FetchResult(items=items, cursor={"feeds": states}, has_more=False)
