from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
import respx
from graph_helpers import GRAPH, client_for, form, load, query, router

from tending.connectors.bases import (
    ApiVersionRefused,
    AuthExpired,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)
from tending.connectors.facebook import FacebookConnector

PAGE = "104000000000001"
TOKEN = "EAAB-page-SECRET-token"
POST = f"{PAGE}_900000000000011"


def _fb(mock: respx.Router, **config: object) -> FacebookConnector:
    return FacebookConnector(
        config={"page_id": PAGE, **config},
        credentials={"page_access_token": TOKEN},
        http=client_for(mock),
    )


def _ids(result: object) -> list[str]:
    return [it.external_id for it in result.items]  # type: ignore[attr-defined]


def test_first_poll_reads_comments_and_visitor_posts_oldest_first() -> None:
    mock = router()
    mock.get(f"/{PAGE}/feed").respond(json=load("facebook", "feed_latest.json"))
    result = _fb(mock, recent_posts=2).fetch_since({})
    assert _ids(result) == [
        f"{PAGE}_900000000000010",
        "900000000000010_5000000002",
        "900000000000011_5000000001",
        "900000000000011_5000000003",
    ]
    visitor, ours, top, reply = result.items
    assert visitor.kind == "post" and visitor.direction == "inbound"
    assert visitor.author is not None and visitor.author.name == "Chen Wei"
    assert "comments" not in json.loads(visitor.raw or "{}")
    assert ours.direction == "outbound" and ours.parent_external_id == f"{PAGE}_900000000000010"
    assert top.kind == "comment" and top.thread_external_id == POST and top.parent_external_id == POST
    assert top.text == "Oat milk flat white 🙏"
    assert top.created_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert top.url and top.url.endswith("comment_id=5000000001")
    assert top.author is not None
    assert (top.author.external_id, top.author.name) == ("7100000000000001", "Alice Martin")
    assert reply.kind == "reply" and reply.parent_external_id == "900000000000011_5000000001"
    assert json.loads(reply.raw or "{}")["like_count"] == 0
    # the first poll of a "latest" channel takes only each post's newest comments page
    assert result.has_more is False
    request = mock.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "access_token" not in str(request.url)
    params = query(request)
    assert params["limit"] == "2"
    assert "comments.order(reverse_chronological).filter(stream).limit(50){" in params["fields"]
    floors = result.cursor["comments"]["posts"]
    assert floors[POST]["floor"]["ids"] == ["900000000000011_5000000003"]
    assert "EAAB" not in json.dumps(result.cursor)  # links carrying tokens are never stored


def test_walks_comment_pages_and_feed_pages_then_resumes_without_repeats() -> None:
    mock = router()
    later = mock.get(f"/{PAGE}/feed", params={"after": "RkFGVEVSMQ"}).respond(
        json=load("facebook", "feed_p2.json")
    )
    comments = mock.get(f"/{POST}/comments", params={"after": "Q0FGVEVSMQ"}).respond(
        json=load("facebook", "comments_p2.json")
    )
    first = mock.get(f"/{PAGE}/feed").respond(json=load("facebook", "feed_p1.json"))
    fb = _fb(mock, start="beginning", page_size=1, recent_posts=2, max_comment_pages=1)

    one = fb.fetch_since({})
    assert _ids(one) == ["900000000000011_5000000001", "900000000000011_5000000003"]
    assert one.has_more is True  # the post's older comments and the next feed page are pending
    assert first.call_count == 1 and comments.call_count == 0

    two = fb.fetch_since(one.cursor)
    assert _ids(two) == [f"{PAGE}_900000000000010", "900000000000011_5000000000"]
    assert comments.call_count == 1 and later.call_count == 1
    assert two.has_more is False
    assert two.cursor["comments"]["posts"][POST]["floor"]["time"] == "2024-03-05T11:30:00+00:00"

    first.respond(json=load("facebook", "feed_later.json"))
    three = fb.fetch_since(two.cursor)
    # the walk stops at the floor: the old reply is not repeated and no older page is asked for
    assert _ids(three) == ["900000000000011_5000000009"]
    assert comments.call_count == 1 and three.has_more is True  # the feed's next page is still to scan


def test_messenger_conversations_are_direct_threads() -> None:
    mock = router()
    mock.get(f"/{PAGE}/conversations").respond(json=load("facebook", "conversations.json"))
    result = _fb(mock, listen_comments=False, listen_messages=True).fetch_since({})
    assert _ids(result) == ["m_AbCdEf001", "m_AbCdEf002"]
    ours, theirs = result.items
    assert ours.direction == "outbound" and theirs.direction == "inbound"
    assert theirs.kind == "direct" and theirs.thread_external_id == "conversation:t_10161234567890"
    assert theirs.url == "https://www.facebook.com/104000000000001/inbox/10161234567890/"
    assert theirs.author is not None and theirs.author.name == "Chen Wei"
    assert query(mock.calls[0].request)["platform"] == "messenger"
    assert result.cursor["messages"]["floor"]["ids"] == ["m_AbCdEf002"]


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (400, "error_expired_token.json", {}, AuthExpired),
        (429, None, {"Retry-After": "120"}, RateLimited),
        (500, "error_unknown.json", {}, UpstreamError),
        (403, "error_page_rate_limit.json", {}, RateLimited),
    ],
)
def test_graph_errors_map_to_connector_errors(
    status: int, body: str | None, headers: dict[str, str], error: type[Exception]
) -> None:
    mock = router()
    content = json.dumps(load("facebook", body)).encode() if body else b""
    mock.get(f"/{PAGE}/feed").respond(status, content=content, headers=headers)
    fb = _fb(mock)
    with pytest.raises(error) as caught:
        fb.fetch_since({})
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value) and TOKEN not in repr(fb)
    if status == 429:
        assert caught.value.retry_after == 120.0  # type: ignore[attr-defined]
    if body == "error_expired_token.json":
        assert "code 190/463" in str(caught.value)


def test_business_usage_header_sets_the_wait() -> None:
    mock = router()
    usage = json.dumps({PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 25}]})
    mock.get(f"/{PAGE}/feed").respond(
        400, json=load("facebook", "error_page_rate_limit.json"), headers={"X-Business-Use-Case-Usage": usage}
    )
    with pytest.raises(RateLimited) as caught:
        _fb(mock).fetch_since({})
    assert caught.value.retry_after == 25 * 60


def test_permission_error_is_not_permitted() -> None:
    mock = router()
    mock.get(f"/{PAGE}/conversations").respond(
        403,
        json={
            "error": {
                "message": "(#230) Requires pages_messaging permission to manage the object",
                "type": "OAuthException",
                "code": 230,
                "fbtrace_id": "x",
            }
        },
    )
    with pytest.raises(NotPermitted):
        _fb(mock, listen_comments=False, listen_messages=True).fetch_since({})


@pytest.mark.parametrize(
    "content", [b"<html>Service Unavailable</html>", b'{"data": {"not": "a list"}}', b"[]"]
)
def test_malformed_answers(content: bytes) -> None:
    mock = router()
    mock.get(f"/{PAGE}/feed").respond(200, content=content)
    with pytest.raises(MalformedResponse):
        _fb(mock).fetch_since({})


def test_transport_timeout_is_upstream_error() -> None:
    mock = router()
    mock.get(f"/{PAGE}/feed").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(UpstreamError):
        _fb(mock).fetch_since({})


def test_reply_to_a_reply_goes_under_its_top_comment() -> None:
    mock = router()
    mock.get("/900000000000011_5000000003").respond(
        json={"id": "900000000000011_5000000003", "parent": {"id": "900000000000011_5000000001"}}
    )
    posted = mock.post("/900000000000011_5000000001/comments").respond(
        json={"id": "900000000000011_5000000010"}
    )
    sent = _fb(mock).reply(parent_external_id="900000000000011_5000000003", text="Coming in April!")
    assert sent.external_id == "900000000000011_5000000010"
    request = posted.calls.last.request
    assert str(request.url) == f"{GRAPH}/900000000000011_5000000001/comments"
    assert form(request) == {"message": "Coming in April!"}
    assert query(mock.calls[0].request)["fields"] == "id,parent{id}"


def test_reply_to_a_post_comments_directly() -> None:
    mock = router()
    posted = mock.post(f"/{POST}/comments").respond(json={"id": "900000000000011_5000000011"})
    _fb(mock).reply(parent_external_id=POST, text="Thanks!")
    assert form(posted.calls.last.request) == {"message": "Thanks!"} and len(mock.calls) == 1


def test_reply_to_a_message_uses_the_send_api() -> None:
    mock = router()
    mock.get("/m_AbCdEf002").respond(
        json={
            "id": "m_AbCdEf002",
            "from": {"id": "7300000000000003", "name": "Chen Wei"},
            "to": {"data": [{"id": PAGE, "name": "Lumen Coffee"}]},
        }
    )
    sent_route = mock.post(f"/{PAGE}/messages").respond(
        json={"recipient_id": "7300000000000003", "message_id": "m_ZyXw999"}
    )
    sent = _fb(mock).reply(parent_external_id="m_AbCdEf002", text="Enjoy!")
    assert sent.external_id == "m_ZyXw999"
    assert json.loads(sent_route.calls.last.request.content) == {
        "recipient": {"id": "7300000000000003"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Enjoy!"},
    }


def test_publish_text_and_photos() -> None:
    mock = router()
    photos = mock.post(f"/{PAGE}/photos").respond(json={"id": "555000000000001"})
    feed = mock.post(f"/{PAGE}/feed").respond(json={"id": f"{PAGE}_900000000000099"})
    sent = _fb(mock).publish(
        text="New beans!", idempotency_key="k1", media_urls=["https://cdn.example/beans.jpg"]
    )
    assert sent.external_id == f"{PAGE}_900000000000099"
    assert sent.url == f"https://www.facebook.com/{PAGE}_900000000000099"
    assert form(photos.calls.last.request) == {"url": "https://cdn.example/beans.jpg", "published": "false"}
    assert form(feed.calls.last.request) == {
        "message": "New beans!",
        "attached_media[0]": '{"media_fbid":"555000000000001"}',
    }


def test_metrics_reads_counts_and_daily_insights() -> None:
    mock = router()
    mock.get(f"/{PAGE}", params={"fields": "followers_count,fan_count"}).respond(
        json={"followers_count": 1523, "fan_count": 1490, "id": PAGE}
    )
    insights = mock.get(f"/{PAGE}/insights").respond(json=load("facebook", "insights.json"))
    since, until = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 3, tzinfo=UTC)
    points = _fb(mock).metrics(since=since, until=until)
    named = {(p.name, p.at.day): p.value for p in points}
    assert named[("page_follows", 3)] == 1523 and named[("page_views_total", 2)] == 88
    assert {p.name for p in points} >= {"followers", "page_likes"}
    params = query(insights.calls.last.request)
    assert params["period"] == "day" and params["since"] == str(int(since.timestamp()))
    assert params["metric"] == "page_follows,page_views_total,page_post_engagements"


def test_a_refused_graph_version_names_the_setting() -> None:
    mock = router()
    body = json.dumps(load("facebook", "error_deprecated_version.json")).encode()
    mock.get(f"/{PAGE}/feed").respond(400, content=body)
    with pytest.raises(ApiVersionRefused) as caught:
        _fb(mock).fetch_since({})
    assert caught.value.setting == "TENDING_GRAPH_API_VERSION" and caught.value.retryable is False
    assert "set TENDING_GRAPH_API_VERSION to a live version" in str(caught.value)
    assert str(mock.calls.last.request.url).startswith(GRAPH)
