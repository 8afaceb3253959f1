"""Reddit's search listing through PRAW, answers shaped like Reddit's documented Listing."""

from __future__ import annotations

from typing import Any

from tests.connectors.test_reddit import API, _connector, _listing, reddit  # noqa: F401  (the OAuth fixture)

from tending.connectors.bases import SearchQuery


def test_search_keeps_matching_posts_and_pages_forward_with_before(reddit: Any) -> None:  # noqa: F811
    _listing(reddit, "search", "search_new.json")
    query = SearchQuery(terms=("lumen",), phrases=("cold brew",), exclusions=("giveaway",))
    result = _connector().search(query, {})
    assert [it.external_id for it in result.items] == ["t3_1h6sick"]
    post = result.items[0]
    assert post.kind == "post" and post.text.startswith("Lumen cold brew made us sick?")
    assert post.url == "https://www.reddit.com/r/Coffee/comments/1h6sick/lumen_cold_brew_made_us_sick/"
    assert result.cursor == {"before": "t3_1h6sick"} and not result.has_more
    sent = next(c for c in reddit.calls if c.request.url.startswith(f"{API}/search"))
    assert "sort=new" in sent.request.url and "type=link" in sent.request.url
    assert "NOT+giveaway" in sent.request.url or "NOT%20giveaway" in sent.request.url
    _connector().search(query, result.cursor)
    again = [c for c in reddit.calls if c.request.url.startswith(f"{API}/search")][-1]
    assert "before=t3_1h6sick" in again.request.url
