from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import prawcore.sessions
import pytest
import responses
from responses import matchers

from tending.connectors.bases import AuthExpired, MalformedResponse, NotPermitted, RateLimited, UpstreamError
from tending.connectors.reddit import RedditConnector

FIX = Path(__file__).parent / "fixtures" / "reddit"
TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
API = "https://oauth.reddit.com"
SECRET = "app-secret-XYZ"
PASSWORD = "hunter2-brand"


def _load(name: str) -> Any:
    return json.loads((FIX / name).read_text())


@pytest.fixture(autouse=True)
def _no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """prawcore waits seconds between its own retries of a 5xx; tests need not."""
    monkeypatch.setattr(prawcore.sessions.time, "sleep", lambda _s: None)


@pytest.fixture()
def reddit() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            TOKEN_URL,
            json={"access_token": "tok-abc", "token_type": "bearer", "expires_in": 86400, "scope": "*"},
        )
        mock.get(f"{API}/api/user_data_by_account_ids", json=_load("user_data.json"))
        yield mock


def _connector(*, user: bool = False, **config: Any) -> RedditConnector:
    credentials = {"client_id": "app-id", "client_secret": SECRET}
    if user:
        credentials |= {"username": "lumen_official", "password": PASSWORD}
    return RedditConnector(
        config={"subreddit": "LumenCoffee", "username": "lumen_official", **config}, credentials=credentials
    )


def _listing(mock: responses.RequestsMock, path: str, fixture: str, **params: str) -> None:
    match = [matchers.query_param_matcher(params, strict_match=False)] if params else []
    mock.get(f"{API}/{path}", json=_load(fixture), match=match)


def test_subreddit_posts_comments_and_mentions(reddit: responses.RequestsMock) -> None:
    _listing(reddit, "r/LumenCoffee/new", "new_posts.json")
    _listing(reddit, "r/LumenCoffee/comments", "comments_newest.json")
    _listing(reddit, "message/mentions", "mentions.json")
    _listing(reddit, "message/comments", "empty.json")
    _listing(reddit, "message/selfreply", "empty.json")
    result = _connector(user=True).fetch_since({})
    assert [it.external_id for it in result.items] == [
        "t3_1b7post",
        "t3_1b7q2x",
        "t1_kq1aaa1",
        "t1_kq1aaa2",
        "t1_kq2bbb1",
    ]
    own_post, other_post, first, answer, mention = result.items
    assert (own_post.kind, own_post.direction) == ("post", "outbound")
    assert other_post.text == "Grinder advice?\n\nWhich grinder for pour-over?"
    assert other_post.direction == "inbound"
    assert (first.kind, first.thread_external_id, first.parent_external_id) == (
        "comment",
        "t3_1b7post",
        "t3_1b7post",
    )
    assert first.url == "https://www.reddit.com/r/LumenCoffee/comments/1b7post/spring_roast_is_here/kq1aaa1/"
    assert first.created_at == datetime.fromtimestamp(1709640000, UTC)
    assert first.author is not None
    assert (first.author.external_id, first.author.handle) == ("t2_priya", "priya_p")
    assert first.author.account_created_at == datetime(2020, 1, 1, tzinfo=UTC)
    assert first.author.avatar_is_default is False
    assert (answer.kind, answer.direction, answer.parent_external_id) == ("reply", "outbound", "t1_kq1aaa1")
    assert (mention.kind, mention.thread_external_id) == ("mention", "t3_1b8other")
    assert mention.author is not None and mention.author.avatar_is_default is True
    assert json.loads(mention.raw or "{}")["type"] == "username_mention"
    assert result.cursor == {
        "before": {
            "posts": "t3_1b7q2x",
            "comments": "t1_kq1aaa2",
            "mentions": "t1_kq2bbb1",
        }
    }
    assert result.has_more is False
    token_call = reddit.calls[0]
    assert token_call.request.url == TOKEN_URL
    assert parse_qs(str(token_call.request.body))["grant_type"] == ["password"]


def test_pages_forward_with_before_and_resumes_without_repeats(reddit: responses.RequestsMock) -> None:
    _listing(reddit, "r/LumenCoffee/new", "empty.json")
    comments = "r/LumenCoffee/comments"
    _listing(reddit, comments, "comments_after_c2.json", before="t1_kq1aaa2", limit="2")
    _listing(reddit, comments, "comments_after_c4.json", before="t1_kq1aaa4", limit="2")
    _listing(reddit, comments, "empty.json", before="t1_kq1aaa5", limit="2")
    conn = _connector(page_size=2)
    one = conn.fetch_since({"before": {"comments": "t1_kq1aaa2"}})
    assert [it.external_id for it in one.items] == ["t1_kq1aaa3", "t1_kq1aaa4"]
    assert one.has_more is True
    two = conn.fetch_since(one.cursor)
    assert [it.external_id for it in two.items] == ["t1_kq1aaa5"]
    assert two.items[0].author is None  # a deleted author
    assert two.has_more is False and two.cursor == {"before": {"comments": "t1_kq1aaa5"}}
    three = conn.fetch_since(two.cursor)
    assert three.items == [] and three.cursor == two.cursor


def test_refused_token_is_auth_expired_without_secrets(reddit: responses.RequestsMock) -> None:
    reddit.get(
        f"{API}/r/LumenCoffee/new",
        status=401,
        json={"message": "Unauthorized", "error": 401},
        headers={"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
    )
    conn = _connector(user=True)
    with pytest.raises(AuthExpired) as err:
        conn.fetch_since({})
    assert SECRET not in str(err.value) and PASSWORD not in str(err.value) and SECRET not in repr(conn)


def test_bad_password_at_the_token_endpoint_is_auth_expired() -> None:
    with responses.RequestsMock() as mock:
        mock.post(TOKEN_URL, json={"error": "invalid_grant"})
        with pytest.raises(AuthExpired):
            _connector(user=True).fetch_since({})


def test_too_many_requests_carries_retry_after(reddit: responses.RequestsMock) -> None:
    reddit.get(
        f"{API}/r/LumenCoffee/new",
        status=429,
        body="Too Many Requests",
        headers={
            "Retry-After": "42",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "600",
            "x-ratelimit-reset": "42",
        },
    )
    with pytest.raises(RateLimited) as err:
        _connector().fetch_since({})
    assert err.value.retry_after == 42


def test_server_error_after_retries_and_malformed_json(reddit: responses.RequestsMock) -> None:
    route = reddit.get(
        f"{API}/r/LumenCoffee/new", status=503, body="<html>Our CDN was unable to reach us</html>"
    )
    with pytest.raises(UpstreamError) as err:
        _connector().fetch_since({})
    assert err.value.status == 503 and route.call_count == 3
    reddit.replace(
        responses.GET,
        f"{API}/r/LumenCoffee/new",
        body='{"kind": "Listing", ',
        content_type="application/json",
    )
    with pytest.raises(MalformedResponse):
        _connector().fetch_since({})
    reddit.replace(responses.GET, f"{API}/r/LumenCoffee/new", json={"kind": "t5", "data": {}})
    with pytest.raises(MalformedResponse, match="not a Reddit listing"):
        _connector().fetch_since({})


def test_reply_posts_to_api_comment(reddit: responses.RequestsMock) -> None:
    route = reddit.post(f"{API}/api/comment/", json=_load("comment_created.json"))
    sent = _connector(user=True).reply(parent_external_id="t1_kq1aaa1", text="Whole bean, yes!")
    assert sent.external_id == "t1_kq3ccc9"
    assert sent.created_at == datetime.fromtimestamp(1709660000, UTC)
    assert sent.url == "https://www.reddit.com/r/LumenCoffee/comments/1b7post/spring_roast_is_here/kq3ccc9/"
    body = parse_qs(str(route.calls[0].request.body))
    assert body["thing_id"] == ["t1_kq1aaa1"] and body["text"] == ["Whole bean, yes!"]


def test_publish_submits_a_self_post(reddit: responses.RequestsMock) -> None:
    route = reddit.post(f"{API}/api/submit/", json=_load("submit_created.json"))
    sent = _connector(user=True).publish(text="Summer roast\nBright, citrus, limited.", idempotency_key="k")
    assert sent.external_id == "t3_1b9new"
    body = parse_qs(str(route.calls[0].request.body))
    assert body["sr"] == ["LumenCoffee"] and body["kind"] == ["self"]
    assert body["title"] == ["Summer roast"] and body["text"] == ["Bright, citrus, limited."]


def test_metrics_read_subscribers_only(reddit: responses.RequestsMock) -> None:
    """Reddit no longer sends `active_user_count`; no point pretends to know it."""
    reddit.get(f"{API}/r/LumenCoffee/about", json=_load("about.json"))
    now = datetime.now(UTC)
    points = {p.name: p.value for p in _connector().metrics(since=now - timedelta(days=1), until=now)}
    assert points == {"subscribers": 15234.0}


def test_user_agent_follows_reddits_required_form(reddit: responses.RequestsMock) -> None:
    reddit.get(f"{API}/r/LumenCoffee/about", json=_load("about.json"))
    connector = _connector(user=True)
    now = datetime.now(UTC)
    connector.metrics(since=now - timedelta(days=1), until=now)
    sent = reddit.calls[-1].request.headers["User-Agent"]
    assert re.match(r"^server:tending:v[\w.]+ \(by /u/[\w-]+\)", sent), sent


def test_writing_with_app_keys_only_is_not_permitted(reddit: responses.RequestsMock) -> None:
    with pytest.raises(NotPermitted, match="user token"):
        _connector().reply(parent_external_id="t1_kq1aaa1", text="hi")
    assert not [c for c in reddit.calls if "/api/comment" in c.request.url]


def test_secrets_stay_out_of_debug_logs(
    reddit: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    _listing(reddit, "r/LumenCoffee/new", "empty.json")
    _listing(reddit, "r/LumenCoffee/comments", "empty.json")
    for path in ("message/mentions", "message/comments", "message/selfreply"):
        _listing(reddit, path, "empty.json")
    with caplog.at_level("DEBUG"):
        _connector(user=True).fetch_since({})
    assert caplog.records  # praw does log at debug level
    assert SECRET not in caplog.text and PASSWORD not in caplog.text and "tok-abc" not in caplog.text
