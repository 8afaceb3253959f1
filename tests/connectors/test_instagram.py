from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import respx
from graph_helpers import GRAPH, client_for, form, load, query, router

from tending.connectors.bases import AuthExpired, MalformedResponse, NotPermitted, RateLimited, UpstreamError
from tending.connectors.instagram import InstagramConnector

ACCOUNT = "17841400000009999"
TOKEN = "EAAB-ig-SECRET-token"
MEDIA = "17890000000000101"


def _ig(mock: respx.Router, **config: object) -> InstagramConnector:
    return InstagramConnector(
        config={"ig_user_id": ACCOUNT, **config}, credentials={"access_token": TOKEN}, http=client_for(mock)
    )


def _ids(result: object) -> list[str]:
    return [it.external_id for it in result.items]  # type: ignore[attr-defined]


def test_media_comments_and_replies_page_and_resume_without_repeats() -> None:
    mock = router()
    older_media = mock.get(f"/{ACCOUNT}/media", params={"after": "TUVESUFBRlRFUg"}).respond(
        json=load("instagram", "media_p2.json")
    )
    comments = mock.get(f"/{MEDIA}/comments", params={"after": "QVFIUmNtYWZ0ZXI"}).respond(
        json=load("instagram", "comments_p2.json")
    )
    newest = mock.get(f"/{ACCOUNT}/media").respond(json=load("instagram", "media_p1.json"))
    ig = _ig(mock, start="beginning", page_size=1, recent_posts=2)

    one = ig.fetch_since({})
    assert _ids(one) == ["17950000000000201", "17950000000000203", "17950000000000202"]
    comment, reply, other = one.items
    assert (
        comment.kind == "comment"
        and comment.parent_external_id == MEDIA
        and comment.thread_external_id == MEDIA
    )
    assert comment.author is not None
    assert (comment.author.external_id, comment.author.handle) == ("17841400000000001", "alice.m")
    assert comment.text == "Oat milk flat white please!" and comment.direction == "inbound"
    assert comment.created_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert "replies" not in json.loads(comment.raw or "{}")
    assert reply.kind == "reply" and reply.parent_external_id == "17950000000000201"
    assert reply.direction == "outbound"  # the account answering on its own media
    assert other.author is not None and other.author.handle == "bruno_d"
    assert one.has_more is True and comments.call_count == 1
    assert query(newest.calls.last.request)["limit"] == "1"

    two = ig.fetch_since(one.cursor)
    assert _ids(two) == [] and two.has_more is False and older_media.call_count == 1

    newest.respond(json=load("instagram", "media_unchanged.json"))
    three = ig.fetch_since(two.cursor)
    # the first media's count did not move, so its inline page is not read (a comment swapped for another
    # within one poll would go unseen); the second media's count changed
    assert _ids(three) == ["17950000000000301"] and comments.call_count == 1
    assert three.cursor["comments"]["posts"]["17890000000000100"]["count"] == 1


def test_first_latest_poll_takes_the_inline_page_only() -> None:
    mock = router()
    mock.get(f"/{ACCOUNT}/media").respond(json=load("instagram", "media_p1.json") | {"paging": {}})
    result = _ig(mock).fetch_since({})
    assert _ids(result) == ["17950000000000201", "17950000000000203"] and result.has_more is False


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (400, "error_expired_token.json", {}, AuthExpired),
        (401, None, {}, AuthExpired),
        (429, None, {"Retry-After": "30"}, RateLimited),
        (400, "error_app_rate_limit.json", {}, RateLimited),
        (502, None, {}, UpstreamError),
    ],
)
def test_errors(status: int, body: str | None, headers: dict[str, str], error: type[Exception]) -> None:
    mock = router()
    content = json.dumps(load("instagram", body)).encode() if body else b"<html>Bad Gateway</html>"
    mock.get(f"/{ACCOUNT}/media").respond(status, content=content, headers=headers)
    with pytest.raises(error) as caught:
        _ig(mock).fetch_since({})
    assert TOKEN not in str(caught.value)
    if status == 429:
        assert caught.value.retry_after == 30.0  # type: ignore[attr-defined]


def test_malformed_json() -> None:
    mock = router()
    mock.get(f"/{ACCOUNT}/media").respond(200, content=b'{"data": [ {"id": "1", ')
    with pytest.raises(MalformedResponse):
        _ig(mock).fetch_since({})


def test_reply_to_a_reply_goes_under_its_comment_with_a_mention() -> None:
    mock = router()
    mock.get("/17950000000000203").respond(
        json={"id": "17950000000000203", "parent_id": "17950000000000201", "username": "bruno_d"}
    )
    posted = mock.post("/17950000000000201/replies").respond(json={"id": "17950000000000299"})
    sent = _ig(mock).reply(parent_external_id="17950000000000203", text="Yes, on Friday!")
    assert sent.external_id == "17950000000000299"
    assert str(posted.calls.last.request.url) == f"{GRAPH}/17950000000000201/replies"
    assert form(posted.calls.last.request) == {"message": "@bruno_d Yes, on Friday!"}


def test_reply_to_a_comment() -> None:
    mock = router()
    mock.get("/17950000000000201").respond(json={"id": "17950000000000201", "username": "alice.m"})
    posted = mock.post("/17950000000000201/replies").respond(json={"id": "17950000000000298"})
    _ig(mock).reply(parent_external_id="17950000000000201", text="Noted!")
    assert form(posted.calls.last.request) == {"message": "Noted!"}


def test_publish_one_image_then_a_carousel() -> None:
    mock = router()
    containers = mock.post(f"/{ACCOUNT}/media")
    containers.side_effect = [
        respx.MockResponse(json={"id": "c1"}),
        respx.MockResponse(json={"id": "c2"}),
        respx.MockResponse(json={"id": "c3"}),
        respx.MockResponse(json={"id": "c4"}),
    ]
    publish = mock.post(f"/{ACCOUNT}/media_publish").respond(json={"id": "17890000000000555"})
    mock.get(f"/{ACCOUNT}/content_publishing_limit").respond(
        json=load("instagram", "content_publishing_limit.json")
    )
    mock.get(path__regex=r"/c\d$").respond(json={"status_code": "FINISHED"})
    ig = _ig(mock)

    sent = ig.publish(text="New beans", idempotency_key="k", media_urls=["https://cdn.example/a.jpg"])
    assert sent.external_id == "17890000000000555"
    assert form(containers.calls[0].request) == {
        "image_url": "https://cdn.example/a.jpg",
        "caption": "New beans",
    }
    assert form(publish.calls[0].request) == {"creation_id": "c1"}

    ig.publish(
        text="Two",
        idempotency_key="k2",
        media_urls=["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"],
    )
    assert form(containers.calls[1].request) == {
        "image_url": "https://cdn.example/a.jpg",
        "is_carousel_item": "true",
    }
    assert form(containers.calls[3].request) == {
        "media_type": "CAROUSEL",
        "children": "c2,c3",
        "caption": "Two",
    }
    assert form(publish.calls[1].request) == {"creation_id": "c4"}


def test_publish_without_an_image_is_refused_before_any_call() -> None:
    mock = router()
    with pytest.raises(NotPermitted, match="without an image"):
        _ig(mock).publish(text="Just words", idempotency_key="k")
    assert not mock.calls


def test_metrics() -> None:
    mock = router()
    mock.get(f"/{ACCOUNT}", params={"fields": "followers_count,follows_count,media_count"}).respond(
        json={"followers_count": 4820, "follows_count": 310, "media_count": 288, "id": ACCOUNT}
    )
    insights = mock.get(f"/{ACCOUNT}/insights").respond(json=load("instagram", "insights.json"))
    points = _ig(mock).metrics(since=datetime(2024, 3, 1, tzinfo=UTC), until=datetime(2024, 3, 3, tzinfo=UTC))
    named = {p.name: p.value for p in points}
    assert named["followers"] == 4820 and named["following"] == 310 and named["posts"] == 288
    assert [p.value for p in points if p.name == "reach"] == [412, 389]
    assert query(insights.calls.last.request)["metric"] == "reach,follower_count"
