"""Listening on the fake network: public posts served from a JSONL file of the demo folder.

The channel's `listening_source` names a generic-format file of posts that do not tag the brand; a
search returns those matching the query after the cursor's offset, a page at a time, as a real
network's search would return its newest results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import orjson

from tending.connectors.bases import FetchResult, NotPermitted, SearchCapability, SearchQuery, SearchQuota
from tending.ingest.generic import item_from_record


class FakeSearching(SearchCapability):
    """Mixed into the fake connector, which supplies `_read` (demo-folder files only) and `config`."""

    search_quota: ClassVar[SearchQuota] = SearchQuota(
        calls=600, window_seconds=900, note="made up, so the demo shows a quota being spent"
    )
    # Supplied by the connector this is mixed into.
    if TYPE_CHECKING:
        config: Any

        def _read(self, name: str) -> bytes: ...

    def search(self, query: SearchQuery, cursor: dict[str, Any]) -> FetchResult:
        extra = self.config.model_extra or {}
        source = extra.get("listening_source")
        if not source:
            raise NotPermitted("no listening_source is configured (fake)", network="fake")
        lines = [line for line in self._read(str(source)).splitlines() if line.strip()]
        offset = int(cursor.get("offset", 0))
        page_size = max(int(self.config.page_size), 1)
        chunk = lines[offset : offset + page_size]
        items = []
        for line in chunk:
            item = item_from_record(orjson.loads(line), raw=line.decode())
            if query.matches(item.text, item.language):
                items.append(item)
        end = offset + len(chunk)
        return FetchResult(items=items, cursor={"offset": end}, has_more=end < len(lines))
