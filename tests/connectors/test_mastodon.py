from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import responses
from responses import matchers

from tending.connectors.bases import AuthExpired, MalformedResponse, RateLimited, UpstreamError
from tending.connectors.mastodon import MastodonConnector

FIX = Path(__file__).parent / "fixtures" / "mastodon"
BASE = "https://social.example"
TOKEN = "tok-SECRET-123"


def _load(name: str) -> object:
    return json.loads((FIX / name).read_text())


def _connector(**config: object) -> MastodonConnector:
    return MastodonConnector(config={"api_base_url": BASE, **config}, credentials={"access_token": TOKEN})


def _query(call: responses.Call) -> dict[str, list[str]]:
    return parse_qs(call.request.url.split("?", 1)[1]) if "?" in call.request.url else {}


def _body(call: responses.Call) -> dict[str, object]:
    body = call.request.body
    raw = body.decode() if isinstance(body, bytes) else str(body)
    if raw.startswith("{"):
        return json.loads(raw)
    return {k: v[0] for k, v in parse_qs(raw).items()}


@responses.activate
def test_mentions_are_read_oldest_first_with_full_profiles() -> None:
    responses.get(f"{BASE}/api/v1/notifications", json=_load("notifications_page1.json"))
    result = _connector(listen_direct=False).fetch_since({})
    assert [it.external_id for it in result.items] == ["111000000000000101", "111000000000000102"]
    first, second = result.items
    assert first.kind == "mention" and first.direction == "inbound"
    assert first.text == "@lumen do you ship to Lyon?"
    assert (
        first.language == "en"
        and first.url == "https://social.example/@alice@fedi.example/111000000000000101"
    )
    assert first.created_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    author = first.author
    assert author is not None
    assert (author.external_id, author.handle, author.name) == ("2001", "alice@fedi.example", "Alice")
    assert (author.followers, author.following, author.posts_count) == (120, 88, 640)
    assert author.account_created_at == datetime(2021, 11, 5, tzinfo=UTC)
    assert author.avatar_is_default is False and author.bio == "Coffee person"
    assert second.kind == "reply" and second.parent_external_id == "111000000000000090"
    assert second.text.startswith("CW: complaint\n\n@lumen my order never arrived & nobody answers")
    assert second.author is not None and second.author.avatar_is_default is True
    assert json.loads(second.raw or "{}")["id"] == "111000000000000102"
    assert result.cursor == {"notifications_min_id": "501"}
    assert result.has_more is False  # the first poll of a "latest" channel takes only the newest page
    call = responses.calls[0]
    assert _query(call)["types[]"] == ["mention"]
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"


@responses.activate
def test_pages_forward_with_min_id_and_resumes_without_repeats() -> None:
    responses.add(
        responses.GET,
        f"{BASE}/api/v1/notifications",
        json=_load("notifications_page1.json"),
        match=[matchers.query_param_matcher({"min_id": "0", "limit": "2", "types[]": "mention"})],
    )
    responses.add(
        responses.GET,
        f"{BASE}/api/v1/notifications",
        json=_load("notifications_page2.json"),
        match=[matchers.query_param_matcher({"min_id": "501", "limit": "2", "types[]": "mention"})],
    )
    responses.add(
        responses.GET,
        f"{BASE}/api/v1/notifications",
        json=[],
        match=[matchers.query_param_matcher({"min_id": "503", "limit": "2", "types[]": "mention"})],
    )
    conn = _connector(listen_direct=False, page_size=2, start="beginning")
    one = conn.fetch_since({})
    assert one.has_more is True and one.cursor == {"notifications_min_id": "501"}
    two = conn.fetch_since(one.cursor)
    assert [it.external_id for it in two.items] == ["111000000000000103", "111000000000000104"]
    assert two.cursor == {"notifications_min_id": "503"} and two.has_more is True
    three = conn.fetch_since(two.cursor)
    assert three.items == [] and three.cursor == two.cursor and three.has_more is False
    seen = [it.external_id for r in (one, two) for it in r.items]
    assert len(seen) == len(set(seen)) == 4


@responses.activate
def test_conversations_recover_messages_between_polls() -> None:
    conv = f"{BASE}/api/v1/conversations/"
    responses.add(
        responses.GET,
        conv,
        json=_load("conversations_first.json"),
        match=[matchers.query_param_matcher({"limit": "40"})],
    )
    responses.add(
        responses.GET,
        conv,
        json=_load("conversations_later.json"),
        match=[matchers.query_param_matcher({"min_id": "111000000000000201", "limit": "40"})],
    )
    responses.get(f"{BASE}/api/v1/statuses/111000000000000203/context", json=_load("context_dm3.json"))
    conn = _connector(listen_mentions=False)
    first = conn.fetch_since({})
    assert [(it.external_id, it.kind, it.thread_external_id) for it in first.items] == [
        ("111000000000000201", "direct", "conversation:77")
    ]
    later = conn.fetch_since(first.cursor)
    assert [(it.external_id, it.direction) for it in later.items] == [
        ("111000000000000202", "outbound"),
        ("111000000000000203", "inbound"),
    ]
    assert later.items[1].language == "fr"
    assert later.cursor == {"conversations_min_id": "111000000000000203"}


@responses.activate
def test_direct_mentions_are_left_to_conversations() -> None:
    responses.get(f"{BASE}/api/v1/conversations/", json=[])
    responses.get(f"{BASE}/api/v1/notifications", json=_load("notifications_page2.json"))
    result = _connector().fetch_since({})
    assert [it.external_id for it in result.items] == ["111000000000000103"]


@responses.activate
def test_expired_token_is_auth_expired_without_the_token() -> None:
    responses.get(f"{BASE}/api/v1/notifications", status=401, json={"error": "The access token is invalid"})
    conn = _connector(listen_direct=False)
    with pytest.raises(AuthExpired) as err:
        conn.fetch_since({})
    assert TOKEN not in str(err.value) and TOKEN not in repr(conn) and err.value.status == 401


@responses.activate
def test_rate_limit_reports_the_reset_time() -> None:
    reset = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    responses.get(
        f"{BASE}/api/v1/notifications",
        status=429,
        json={"error": "Too many requests"},
        headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    with pytest.raises(RateLimited) as err:
        _connector(listen_direct=False).fetch_since({})
    assert 240 < err.value.retry_after <= 301


@responses.activate
def test_server_error_and_malformed_json() -> None:
    responses.get(f"{BASE}/api/v1/notifications", status=503, body="<html>busy</html>")
    with pytest.raises(UpstreamError) as err:
        _connector(listen_direct=False).fetch_since({})
    assert err.value.status == 503
    responses.replace(
        responses.GET,
        f"{BASE}/api/v1/notifications",
        status=200,
        body="{not json",
        content_type="application/json",
    )
    with pytest.raises(MalformedResponse):
        _connector(listen_direct=False).fetch_since({})


@responses.activate
def test_reply_keeps_visibility_mentions_the_author_and_sends_an_idempotency_key() -> None:
    responses.get(f"{BASE}/api/v1/statuses/111000000000000101", json=_load("status_parent.json"))
    post = responses.post(f"{BASE}/api/v1/statuses", json=_load("status_reply.json"))
    sent = _connector().reply(parent_external_id="111000000000000101", text="Yes, we ship to Lyon.")
    assert sent.external_id == "111000000000000900"
    assert sent.url == "https://social.example/@lumen/111000000000000900"
    call = post.calls[0]
    assert _body(call) == {
        "status": "@alice@fedi.example Yes, we ship to Lyon.",
        "in_reply_to_id": "111000000000000101",
        "visibility": "public",
        "sensitive": "0",
    }
    assert len(call.request.headers["Idempotency-Key"]) == 40


@responses.activate
def test_publish_passes_the_idempotency_key_header() -> None:
    post = responses.post(f"{BASE}/api/v1/statuses", json=_load("status_published.json"))
    sent = _connector().publish(text="Spring roast is here.", idempotency_key="campaign-7-post-3")
    assert sent.external_id == "111000000000000901"
    assert sent.created_at == datetime(2024, 3, 7, 9, tzinfo=UTC)
    call = post.calls[0]
    assert call.request.headers["Idempotency-Key"] == "campaign-7-post-3"
    assert _body(call) == {"status": "Spring roast is here.", "visibility": "public", "sensitive": "0"}


@responses.activate
def test_metrics_read_the_account_counts() -> None:
    responses.get(f"{BASE}/api/v1/accounts/verify_credentials", json=_load("verify_credentials.json"))
    now = datetime.now(UTC)
    points = {p.name: p.value for p in _connector().metrics(since=now - timedelta(days=1), until=now)}
    assert points == {"followers": 5230.0, "following": 310.0, "posts": 1432.0}


@responses.activate
def test_token_stays_out_of_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    responses.get(f"{BASE}/api/v1/notifications", json=_load("notifications_page1.json"))
    with caplog.at_level("DEBUG"):
        _connector(listen_direct=False).fetch_since({})
    assert TOKEN not in caplog.text


def _instance() -> None:
    """Mastodon.py reads the instance's version before its first upload (v2 media needs 3.1.4)."""
    responses.get(f"{BASE}/api/v1/instance/", json=_load("instance_v1.json"))
    responses.get(f"{BASE}/api/v2/instance/", json=_load("instance_v2.json"))


@responses.activate
def test_publish_uploads_images_waits_until_processed_and_attaches_them() -> None:
    import httpx
    import respx

    _instance()
    upload = responses.post(f"{BASE}/api/v2/media", json=_load("media_processing.json"), status=202)
    status = responses.get(f"{BASE}/api/v1/media/22348641", json=_load("media_ready.json"))
    post = responses.post(f"{BASE}/api/v1/statuses", json=_load("status_published.json"))
    with respx.mock(assert_all_called=True) as cdn:
        cdn.get("https://cdn.lumen.example/spring.jpg").mock(
            return_value=httpx.Response(200, content=b"\xff\xd8 jpeg", headers={"content-type": "image/jpeg"})
        )
        _connector().publish(
            text="Spring roast is here.",
            idempotency_key="k1",
            media_urls=["https://cdn.lumen.example/spring.jpg"],
        )
    form = upload.calls[0].request
    assert b'filename="spring.jpg"' in form.body and b"Content-Type: image/jpeg" in form.body
    assert b"\xff\xd8 jpeg" in form.body
    assert status.call_count == 1  # asked again once: processed
    body = parse_qs(post.calls[0].request.body)  # type: ignore[arg-type]
    assert body["media_ids[]"] == ["22348641"] and body["status"] == ["Spring roast is here."]


@responses.activate
def test_an_image_still_processing_posts_nothing() -> None:
    import httpx
    import respx

    from tending.connectors.mastodon.media import upload_media

    _instance()
    responses.post(f"{BASE}/api/v2/media", json=_load("media_processing.json"), status=202)
    responses.get(f"{BASE}/api/v1/media/22348641", json=_load("media_processing.json"), status=206)
    with respx.mock() as cdn:
        cdn.get("https://cdn.lumen.example/spring.jpg").mock(
            return_value=httpx.Response(200, content=b"jpeg", headers={"content-type": "image/jpeg"})
        )
        conn = _connector()
        with pytest.raises(RateLimited, match="still processing"):
            upload_media(
                conn.api,
                ["https://cdn.lumen.example/spring.jpg"],
                policy=conn.context.outbound,
                sleep=lambda s: None,
            )


@responses.activate
def test_an_instance_that_hides_its_version_fails_the_upload_cleanly() -> None:
    import httpx
    import respx

    responses.get(f"{BASE}/api/v1/instance/", json={"error": "unavailable"}, status=503)
    post = responses.post(f"{BASE}/api/v1/statuses", json=_load("status_published.json"))
    with respx.mock(assert_all_called=False) as cdn:
        cdn.get("https://cdn.lumen.example/spring.jpg").mock(
            return_value=httpx.Response(200, content=b"jpeg", headers={"content-type": "image/jpeg"})
        )
        with pytest.raises(UpstreamError, match="did not say its version"):
            _connector().publish(
                text="x", idempotency_key="k", media_urls=["https://cdn.lumen.example/spring.jpg"]
            )
    assert not post.calls
    assert not cdn.calls  # nothing fetched for an instance that cannot take it
