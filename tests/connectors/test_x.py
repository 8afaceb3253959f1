from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from tending.connectors.bases import (
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)
from tending.connectors.x import XConnector

FIX = Path(__file__).parent / "fixtures" / "x"
USER = "1500000000000000999"
MENTIONS = f"https://api.twitter.com/2/users/{USER}/mentions"
TWEETS = "https://api.twitter.com/2/tweets"
BEARER = "user-ctx-SECRET-bearer"


def _load(name: str) -> Any:
    return json.loads((FIX / name).read_text())


def _x(**config: object) -> XConnector:
    return XConnector(config={"user_id": USER, **config}, credentials={"bearer_token": BEARER})


def _query(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def _ids(result: Any) -> list[str]:
    return [it.external_id for it in result.items]


@responses.activate
def test_mentions_are_read_oldest_first_with_full_profiles() -> None:
    responses.get(MENTIONS, json=_load("mentions_p1.json"))
    result = _x().fetch_since({})
    assert _ids(result) == ["1765100000000000200", "1765100000000000300"]
    reply, mention = result.items
    assert mention.kind == "mention" and mention.parent_external_id is None
    assert mention.thread_external_id == "1765100000000000300" and mention.language == "en"
    assert mention.url == "https://x.com/chenwei_dev/status/1765100000000000300"
    assert mention.created_at == datetime(2024, 3, 5, 11, tzinfo=UTC)
    chen = mention.author
    assert chen is not None
    assert (chen.external_id, chen.handle, chen.name) == ("2244994945", "chenwei_dev", "Chen Wei")
    assert (chen.followers, chen.following, chen.posts_count) == (812, 301, 15203)
    assert chen.account_created_at == datetime(2013, 12, 14, 4, 35, 55, tzinfo=UTC)
    assert (
        chen.bio == "Builds things. Drinks coffee."
        and chen.verified is False
        and chen.avatar_is_default is False
    )
    assert reply.kind == "reply" and reply.parent_external_id == "1765100000000000150"
    assert reply.thread_external_id == "1765100000000000100"
    assert reply.author is not None and reply.author.avatar_is_default is True
    assert json.loads(reply.raw or "{}")["in_reply_to_user_id"] == "1500000000000000001"
    # a "latest" channel's first poll takes the newest page only and starts from its newest id
    assert result.cursor == {"since_id": "1765100000000000300"} and result.has_more is False
    query = _query(responses.calls[0])
    assert query["expansions"] == "author_id"
    assert set(query["user.fields"].split(",")) >= {
        "created_at",
        "public_metrics",
        "profile_image_url",
        "description",
        "verified",
    }
    assert set(query["tweet.fields"].split(",")) >= {
        "created_at",
        "conversation_id",
        "in_reply_to_user_id",
        "referenced_tweets",
        "lang",
    }
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {BEARER}"


@responses.activate
def test_pages_with_pagination_token_then_resumes_from_since_id() -> None:
    responses.get(MENTIONS, json=_load("mentions_p1.json"))
    responses.get(MENTIONS, json=_load("mentions_p2.json"))
    responses.get(MENTIONS, json=_load("mentions_new.json"))
    x = _x(start="beginning")

    one = x.fetch_since({"since_id": "1765000000000000000"})
    assert _ids(one) == ["1765100000000000200", "1765100000000000300"] and one.has_more is True
    assert one.cursor["since_id"] == "1765000000000000000"  # the floor stays until the walk ends

    two = x.fetch_since(one.cursor)
    assert _ids(two) == ["1765100000000000100"] and two.has_more is False
    assert two.items[0].text.endswith("(asking for a long, long thread)")  # long posts read in full
    assert two.items[0].author is not None and two.items[0].author.verified is True
    assert two.cursor == {"since_id": "1765100000000000300"}

    three = x.fetch_since(two.cursor)
    assert _ids(three) == ["1765200000000000001"] and three.items[0].language == "fr"
    assert three.cursor == {"since_id": "1765200000000000001"}

    q1, q2, q3 = (_query(c) for c in responses.calls)
    assert q1["since_id"] == "1765000000000000000" and "pagination_token" not in q1
    assert q2["pagination_token"] == "7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix"
    assert q2["since_id"] == "1765000000000000000"
    assert q3["since_id"] == "1765100000000000300" and "pagination_token" not in q3


@responses.activate
def test_free_tier_cannot_read_and_says_so() -> None:
    responses.get(MENTIONS, json=_load("error_free_tier.json"), status=403)
    with pytest.raises(NotPermitted, match=r"paid tier \(Basic or above\)"):
        _x().fetch_since({})


@responses.activate
def test_app_only_token_is_not_permitted_with_a_clear_reason() -> None:
    responses.get(MENTIONS, json=_load("error_unsupported_auth.json"), status=403)
    with pytest.raises(NotPermitted, match="user-context token"):
        _x().fetch_since({})


@responses.activate
def test_rate_limit_reads_the_reset_header() -> None:
    reset = int(time.time()) + 600
    responses.get(
        MENTIONS,
        json=_load("error_429.json"),
        status=429,
        headers={
            "x-rate-limit-limit": "180",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        },
    )
    with pytest.raises(RateLimited) as caught:
        _x().fetch_since({})
    assert 590 <= caught.value.retry_after <= 601


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, "error_401.json", AuthExpired),
        (503, "error_503.json", UpstreamError),
        (200, None, MalformedResponse),
    ],
)
@responses.activate
def test_errors(
    status: int, body: str | None, error: type[Exception], caplog: pytest.LogCaptureFixture
) -> None:
    if body:
        responses.get(MENTIONS, json=_load(body), status=status)
    else:
        responses.get(MENTIONS, body="<html>Over capacity</html>", status=status)
    caplog.set_level(logging.DEBUG)
    x = _x()
    with pytest.raises(error) as caught:
        x.fetch_since({})
    assert BEARER not in str(caught.value) and BEARER not in repr(x)
    assert BEARER not in caplog.text  # tweepy's DEBUG request log would print the header


@responses.activate
def test_wrongly_shaped_answer_is_malformed() -> None:
    responses.get(MENTIONS, json={"data": {"id": "1"}, "meta": {}})
    with pytest.raises(MalformedResponse):
        _x().fetch_since({})


@responses.activate
def test_reply_and_publish_send_exact_bodies() -> None:
    responses.post(TWEETS, json=_load("create_tweet.json"), status=201)
    responses.post(TWEETS, json=_load("create_tweet.json"), status=201)
    x = _x()
    sent = x.reply(
        parent_external_id="1765100000000000300", text="Sorry about that, Chen — a voucher is on its way."
    )
    assert sent.external_id == "1765300000000000001"
    assert sent.url == "https://x.com/i/web/status/1765300000000000001"
    assert json.loads(responses.calls[0].request.body) == {
        "text": "Sorry about that, Chen — a voucher is on its way.",
        "reply": {"in_reply_to_tweet_id": "1765100000000000300"},
    }
    x.publish(text="Spring menu is out", idempotency_key="k")
    assert json.loads(responses.calls[1].request.body) == {"text": "Spring menu is out"}


@responses.activate
def test_oauth1_credentials_sign_requests() -> None:
    responses.post(TWEETS, json=_load("create_tweet.json"), status=201)
    creds = {
        "consumer_key": "ck",
        "consumer_secret": "cs",
        "access_token": "at",
        "access_token_secret": "ats",
    }
    XConnector(config={"user_id": USER}, credentials=creds).publish(text="hi", idempotency_key="k")
    assert responses.calls[0].request.headers["Authorization"].startswith("OAuth ")


@responses.activate
def test_metrics_reads_public_metrics_of_the_account() -> None:
    responses.get("https://api.twitter.com/2/users/me", json=_load("me.json"))
    points = _x().metrics(since=datetime(2024, 3, 1, tzinfo=UTC), until=datetime(2024, 3, 2, tzinfo=UTC))
    assert {p.name: p.value for p in points} == {
        "followers": 5120,
        "following": 180,
        "posts": 2311,
        "listed": 41,
    }
    assert _query(responses.calls[0])["user.fields"] == "public_metrics"


@responses.activate
def test_publish_uploads_images_with_the_v2_media_upload() -> None:
    import respx

    upload = responses.post("https://api.x.com/2/media/upload", json=_load("media_upload.json"))
    tweet = responses.post(TWEETS, json=_load("create_tweet.json"), status=201)
    with respx.mock() as cdn:
        cdn.get("https://cdn.lumen.example/menu.jpg").respond(
            200, content=b"\xff\xd8 menu", headers={"content-type": "image/jpeg"}
        )
        _x().publish(
            text="Spring menu is out", idempotency_key="k", media_urls=["https://cdn.lumen.example/menu.jpg"]
        )
    sent = upload.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {BEARER}"
    assert b'name="media_category"\r\n\r\ntweet_image' in sent.body
    assert b'filename="menu.jpg"' in sent.body and b"\xff\xd8 menu" in sent.body
    assert json.loads(tweet.calls[0].request.body) == {
        "text": "Spring menu is out",
        "media": {"media_ids": ["1880028106020515840"]},
    }


@responses.activate
def test_a_refused_upload_posts_nothing() -> None:
    import respx

    responses.post(
        "https://api.x.com/2/media/upload",
        json={
            "title": "Invalid Request",
            "detail": "media type unrecognized",
            "type": "about:blank",
            "status": 400,
        },
        status=400,
    )
    tweet = responses.post(TWEETS, json=_load("create_tweet.json"), status=201)
    with respx.mock() as cdn:
        cdn.get("https://cdn.lumen.example/menu.jpg").respond(
            200, content=b"x", headers={"content-type": "image/jpeg"}
        )
        with pytest.raises(ConnectorError, match="upload media: refused"):
            _x().publish(text="x", idempotency_key="k", media_urls=["https://cdn.lumen.example/menu.jpg"])
    assert not tweet.calls
