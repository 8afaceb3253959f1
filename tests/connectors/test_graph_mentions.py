"""Page tags (`/{page-id}/tagged`) and Instagram tags (`/{ig-user-id}/tags`) read as mentions."""

from __future__ import annotations

import copy

from graph_helpers import client_for, load, query, router

from tending.connectors.facebook import FacebookConnector
from tending.connectors.instagram import InstagramConnector

PAGE = "104000000000001"
ACCOUNT = "17841400000009999"


def _fb(mock, **config):  # type: ignore[no-untyped-def]
    config = {"page_id": PAGE, "listen_comments": False, "listen_mentions": True, **config}
    return FacebookConnector(
        config=config, credentials={"page_access_token": "EAAB-t"}, http=client_for(mock)
    )


def test_page_tags_first_poll_takes_the_newest_page_then_only_newer_posts() -> None:
    mock = router()
    tagged = mock.get(f"/{PAGE}/tagged").respond(json=load("facebook", "tagged.json"))
    fb = _fb(mock)
    first = fb.fetch_since({})
    assert [i.external_id for i in first.items] == [
        "6100000000000009_830000000000001",
        "6100000000000001_830000000000002",
    ]
    newest = first.items[-1]
    assert newest.kind == "mention" and newest.direction == "inbound"
    assert newest.author is not None and (newest.author.external_id, newest.author.name) == (
        "6100000000000001",
        "Dana Roy",
    )
    assert newest.thread_external_id == newest.external_id
    assert newest.url == "https://www.facebook.com/6100000000000001/posts/830000000000002"
    assert first.has_more is False and "page" not in first.cursor["tagged"]
    params = query(tagged.calls[0].request)
    assert params["fields"] == "id,message,created_time,from,permalink_url" and params["limit"] == "25"

    later = copy.deepcopy(load("facebook", "tagged.json"))
    later["data"].insert(
        0,
        {
            "id": "6100000000000003_830000000000003",
            "message": "Lumen Coffee's new roast is great",
            "created_time": "2024-03-06T10:00:00+0000",
            "from": {"name": "Gus Ode", "id": "6100000000000003"},
            "permalink_url": "https://www.facebook.com/6100000000000003/posts/830000000000003",
        },
    )
    mock.get(f"/{PAGE}/tagged").respond(json=later)
    second = fb.fetch_since(first.cursor)
    assert [i.external_id for i in second.items] == ["6100000000000003_830000000000003"]
    assert second.has_more is False  # the floor was reached on the first page


def test_page_tags_walk_every_page_from_the_beginning() -> None:
    mock = router()
    mock.get(f"/{PAGE}/tagged", params={"after": "VEFHR0VEQUZURVI"}).respond(
        json=load("facebook", "tagged_p2.json")
    )
    mock.get(f"/{PAGE}/tagged").respond(json=load("facebook", "tagged.json"))
    fb = _fb(mock, start="beginning")
    one = fb.fetch_since({})
    assert len(one.items) == 2 and one.has_more is True
    two = fb.fetch_since(one.cursor)
    assert [i.external_id for i in two.items] == [
        "6100000000000007_830000000000000"
    ] and two.has_more is False
    assert "page" not in two.cursor["tagged"]


def test_instagram_tags_are_mentions_by_the_media_owner() -> None:
    mock = router()
    mock.get(f"/{ACCOUNT}/media").respond(json={"data": []})
    tags = mock.get(f"/{ACCOUNT}/tags").respond(json=load("instagram", "tags.json"))
    ig = InstagramConnector(
        config={"ig_user_id": ACCOUNT, "listen_tags": True},
        credentials={"access_token": "EAAB-t"},
        http=client_for(mock),
    )
    result = ig.fetch_since({})
    assert [i.external_id for i in result.items] == ["18038000000000001", "18038000000000002"]
    ritual = result.items[-1]
    assert ritual.kind == "mention" and ritual.text == "Morning ritual with @lumencoffee"
    assert ritual.author is not None and ritual.author.handle == "morningperson"
    assert ritual.url == "https://www.instagram.com/p/Cabc999/"
    assert (
        query(tags.calls[0].request)["fields"]
        == "id,caption,media_type,media_url,permalink,timestamp,username"
    )
    again = ig.fetch_since(result.cursor)
    assert again.items == []
