"""Listening on news feeds: entries matching the query, each read once, unchanged feeds cost a 304."""

from __future__ import annotations

import httpx
import respx
from tests.connectors.test_rss import FIX, _connector

from tending.connectors.bases import SearchQuery

NEWS = "https://news.example/feed.atom"


@respx.mock
def test_news_feed_entries_matching_the_query_are_read_once() -> None:
    body = (FIX / "news_atom.xml").read_bytes()
    route = respx.get(NEWS).mock(
        side_effect=[
            httpx.Response(
                200, content=body, headers={"Content-Type": "application/atom+xml", "ETag": '"n1"'}
            ),
            httpx.Response(304),
        ]
    )
    connector = _connector(news_feeds=[NEWS])
    query = SearchQuery(terms=("lumen",), phrases=("cold brew",))
    first = connector.search(query, {})
    assert [it.external_id for it in first.items] == ["https://news.example/2026/12/lumen-recall"]
    item = first.items[0]
    assert item.direction == "inbound" and item.kind == "post" and item.text.startswith("Lumen recalls")
    assert item.author is not None and item.author.name == "Rita Reporter"
    second = connector.search(query, first.cursor)
    assert second.items == [] and route.calls[1].request.headers["if-none-match"] == '"n1"'
