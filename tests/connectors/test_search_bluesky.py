"""Bluesky's `app.bsky.feed.searchPosts` through the SDK, answers shaped like its documentation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import respx
from tests.connectors.test_bluesky import XRPC, _connector, bsky  # noqa: F401  (the login fixture)

from tending.connectors.bases import SearchQuery
from tending.connectors.bluesky import BlueskyConnector

FIX = Path(__file__).parent / "fixtures" / "bluesky"


def _load(name: str) -> Any:
    return json.loads((FIX / name).read_text())


def test_search_walks_pages_filters_and_moves_since_up(bsky: respx.MockRouter) -> None:  # noqa: F811
    seen: list[dict[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        page = (
            "search_posts_page2.json"
            if request.url.params.get("cursor") == "25"
            else "search_posts_page1.json"
        )
        return httpx.Response(200, json=_load(page))

    bsky.get(f"{XRPC}/app.bsky.feed.searchPosts").mock(side_effect=answer)
    connector: BlueskyConnector = _connector()
    query = SearchQuery(terms=("lumen",), phrases=("cold brew",), exclusions=("giveaway",), languages=("en",))
    first = connector.search(query, {})
    assert [it.external_id for it in first.items] == ["at://did:plc:sam000/app.bsky.feed.post/3lcoldbrew1"]
    assert first.items[0].url == "https://bsky.app/profile/sam.bsky.social/post/3lcoldbrew1"
    assert first.items[0].author is not None and first.items[0].author.name == "Sam"
    assert first.has_more and first.cursor["walk"] == "25"
    second = connector.search(query, first.cursor)
    assert second.items[0].thread_external_id == "at://did:plc:sam000/app.bsky.feed.post/3lcoldbrew1"
    assert not second.has_more
    assert second.cursor == {"since": "2026-12-04T11:58:00+00:00"}
    assert seen[0]["q"] == '(lumen OR "cold brew") -giveaway'
    assert seen[0]["sort"] == "latest" and seen[0]["lang"] == "en"
    again = connector.search(query, second.cursor)
    assert seen[-1]["since"] == "2026-12-04T11:58:00+00:00"
    assert again.cursor["walk"] == "25"
