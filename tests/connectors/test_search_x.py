"""X's recent search through tweepy, answers shaped like X's documentation."""

from __future__ import annotations

import pytest
import responses
from tests.connectors.test_x import _load, _query, _x

from tending.connectors.bases import NotPermitted, SearchQuery

SEARCH = "https://api.twitter.com/2/tweets/search/recent"
QUERY = SearchQuery(
    terms=("lumen",), phrases=("cold brew",), exclusions=("giveaway",), languages=("en", "fr")
)


@responses.activate
def test_recent_search_sends_x_syntax_and_keeps_matching_posts() -> None:
    responses.get(SEARCH, json=_load("search_recent.json"))
    result = _x().search(QUERY, {"since_id": "1865100000000000100"})
    assert [it.external_id for it in result.items] == ["1865100000000000500"]
    post = result.items[0]
    assert post.kind == "post" and post.author is not None and post.author.handle == "chenwei_dev"
    assert post.url == "https://x.com/chenwei_dev/status/1865100000000000500"
    assert result.cursor == {"since_id": "1865100000000000500"} and not result.has_more
    sent = _query(responses.calls[0])
    assert sent["query"] == '(lumen OR "cold brew") -giveaway (lang:en OR lang:fr) -is:retweet'
    assert sent["since_id"] == "1865100000000000100"


@responses.activate
def test_free_tier_cannot_search() -> None:
    responses.get(SEARCH, json=_load("error_free_tier.json"), status=403)
    with pytest.raises(NotPermitted):
        _x().search(QUERY, {})
