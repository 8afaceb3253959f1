"""Listening on Mastodon: hashtag timelines and the instance's public timeline, filtered by the query.

Mastodon offers no full-text search of other people's posts on most instances (text search needs the
instance's optional search engine, and even then covers only posts the searcher interacted with), so
listening reads `GET /api/v1/timelines/tag/:hashtag` for each one-word keyword and
`GET /api/v1/timelines/public?local=true`, and keeps what `SearchQuery.matches`. Each timeline pages
forward with `min_id`, kept per timeline in the cursor, so a resumed run reads exactly what came since.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from mastodon import Mastodon

from tending.connectors.bases import FetchResult, InboundItem, SearchCapability, SearchQuery, SearchQuota
from tending.connectors.mastodon.client import call

LOCAL = "public:local"


class MastodonSearching(SearchCapability):
    """Mixed into the Mastodon connector, which supplies `api`, `config` and `_item`."""

    search_quota: ClassVar[SearchQuota] = SearchQuota(
        calls=300, window_seconds=300, note="Mastodon's default per-account limit on API calls"
    )
    # Supplied by the connector this is mixed into.
    if TYPE_CHECKING:
        config: Any

        @property
        def api(self) -> Mastodon: ...

        def _item(
            self, status: Any, *, kind: str, thread: str | None = None, outbound: bool = False
        ) -> InboundItem: ...

    def search(self, query: SearchQuery, cursor: dict[str, Any]) -> FetchResult:
        """One page of each timeline per call; `has_more` while any timeline gave a full page."""
        timelines = [f"tag:{t.lower()}" for t in query.hashtags()] + [LOCAL]
        new_cursor = dict(cursor)
        items: dict[str, InboundItem] = {}
        more = False
        for name in timelines:
            since = cursor.get(name)
            page = self._timeline(name, since)
            for status in page:
                if status.get("reblog"):
                    continue
                item = self._item(status, kind="post")
                if query.matches(item.text, item.language):
                    items[item.external_id] = item
            if page:
                new_cursor[name] = str(max((s["id"] for s in page), key=lambda v: (len(str(v)), str(v))))
            more = more or len(page) >= self.config.page_size
        ordered = sorted(items.values(), key=lambda it: it.created_at)
        return FetchResult(items=ordered, cursor=new_cursor, has_more=more)

    def _timeline(self, name: str, min_id: str | None) -> list[Any]:
        limit = self.config.page_size
        if name == LOCAL:
            return list(
                call(
                    self.api,
                    lambda: self.api.timeline_public(local=True, min_id=min_id, limit=limit),
                    what="public",
                )
            )
        tag = name.removeprefix("tag:")
        return list(
            call(self.api, lambda: self.api.timeline_hashtag(tag, min_id=min_id, limit=limit), what="hashtag")
        )
