from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tending.connectors.bases import (
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    RateLimited,
    UpstreamError,
)
from tending.connectors.bluesky import BlueskyConnector

FIX = Path(__file__).parent / "fixtures" / "bluesky"
XRPC = "https://bsky.social/xrpc"
BRAND = "did:plc:brand000"
PASSWORD = "abcd-efgh-ijkl-mnop"


def _b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def _jwt(scope: str) -> str:
    now = int(time.time())
    payload = {"scope": scope, "sub": BRAND, "iat": now, "exp": now + 7200, "aud": "did:web:bsky.social"}
    return f"{_b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{_b64(payload)}.c2lnbmF0dXJl"


def _load(name: str) -> Any:
    return json.loads((FIX / name).read_text())


@pytest.fixture()
def bsky() -> Any:
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{XRPC}/com.atproto.server.createSession").mock(
            return_value=httpx.Response(
                200,
                json={
                    "did": BRAND,
                    "handle": "lumen.bsky.social",
                    "email": "social@lumen.example",
                    "emailConfirmed": True,
                    "active": True,
                    "accessJwt": _jwt("com.atproto.appPass"),
                    "refreshJwt": _jwt("com.atproto.refresh"),
                },
            )
        )
        router.get(f"{XRPC}/app.bsky.actor.getProfiles").mock(
            return_value=httpx.Response(200, json=_load("get_profiles.json"))
        )
        yield router


def _connector(**config: Any) -> BlueskyConnector:
    return BlueskyConnector(
        config=config, credentials={"handle": "lumen.bsky.social", "app_password": PASSWORD}
    )


def _pages(router: respx.MockRouter) -> respx.Route:
    by_cursor = {
        None: "notifications_page1.json",
        "2024-03-05T12:00:00.500Z": "notifications_page2.json",
        "2024-03-05T10:00:00.500Z": "notifications_page3.json",
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=_load(by_cursor[request.url.params.get("cursor")]))

    return router.get(f"{XRPC}/app.bsky.notification.listNotifications").mock(side_effect=answer)


def test_notifications_become_items_with_thread_root_and_profiles(bsky: respx.MockRouter) -> None:
    route = _pages(bsky)
    result = _connector().fetch_since({})
    assert [it.kind for it in result.items] == ["mention", "reply"]
    quote, reply = result.items
    assert quote.text == "this roast is great" and quote.thread_external_id is None
    assert reply.external_id == "at://did:plc:alice111/app.bsky.feed.post/3kaaa0000004"
    assert reply.thread_external_id == f"at://{BRAND}/app.bsky.feed.post/3kroot0000001"
    assert reply.parent_external_id == "at://did:plc:bob222/app.bsky.feed.post/3kaaa0000002"
    assert reply.language == "fr"
    assert reply.url == "https://bsky.app/profile/alice.bsky.social/post/3kaaa0000004"
    assert reply.created_at == datetime(2024, 3, 5, 13, tzinfo=UTC)
    author = reply.author
    assert author is not None
    assert (author.followers, author.following, author.posts_count) == (412, 300, 2210)
    assert author.account_created_at == datetime(2023, 5, 1, 10, tzinfo=UTC)
    assert author.avatar_is_default is False and author.bio == "Coffee and bikes" and author.verified is True
    assert json.loads(reply.raw or "{}")["reason"] == "reply"
    # "latest": the first poll takes the newest page and sets the boundary there
    assert result.has_more is False
    assert result.cursor == {
        "newest": "2024-03-05T13:00:00.500Z",
        "boundary": ["at://did:plc:alice111/app.bsky.feed.post/3kaaa0000004"],
    }
    sent = route.calls[0].request
    assert sent.url.params.get_list("reasons") == ["mention", "reply", "quote"]
    assert sent.headers["Authorization"].startswith("Bearer ")
    session_call = bsky.routes[0].calls[0].request
    assert json.loads(session_call.content) == {"identifier": "lumen.bsky.social", "password": PASSWORD}


def test_walks_history_across_pages_and_resumes_without_repeats(bsky: respx.MockRouter) -> None:
    route = _pages(bsky)
    conn = _connector(start="beginning", page_size=2)
    one = conn.fetch_since({})
    assert one.has_more is True and one.cursor["walk"] == "2024-03-05T12:00:00.500Z"
    two = conn.fetch_since(one.cursor)
    assert [it.external_id.rsplit("/", 1)[1] for it in two.items] == ["3kaaa0000001", "3kaaa0000002"]
    assert two.has_more is True
    three = conn.fetch_since(two.cursor)
    assert three.items == [] and three.has_more is False
    assert three.cursor == {
        "newest": "2024-03-05T13:00:00.500Z",
        "boundary": ["at://did:plc:alice111/app.bsky.feed.post/3kaaa0000004"],
    }
    again = conn.fetch_since(three.cursor)  # nothing new on the newest page: nothing delivered twice
    assert again.items == [] and again.cursor == three.cursor
    delivered = [it.external_id for r in (one, two) for it in r.items]
    assert len(delivered) == len(set(delivered)) == 4
    assert [c.request.url.params.get("cursor") for c in route.calls] == [
        None,
        "2024-03-05T12:00:00.500Z",
        "2024-03-05T10:00:00.500Z",
        None,
    ]


def test_expired_token_and_wrong_password_are_auth_expired(bsky: respx.MockRouter) -> None:
    bsky.get(f"{XRPC}/app.bsky.notification.listNotifications").mock(
        return_value=httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has expired"})
    )
    conn = _connector()
    with pytest.raises(AuthExpired, match="ExpiredToken"):
        conn.fetch_since({})
    bsky.routes[0].mock(
        return_value=httpx.Response(
            401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        )
    )
    with pytest.raises(AuthExpired) as err:
        _connector().fetch_since({})
    assert PASSWORD not in str(err.value) and PASSWORD not in repr(conn)


def test_rate_limit_uses_the_reset_header(bsky: respx.MockRouter) -> None:
    reset = int((datetime.now(UTC) + timedelta(seconds=600)).timestamp())
    bsky.get(f"{XRPC}/app.bsky.notification.listNotifications").mock(
        return_value=httpx.Response(
            429,
            json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers={"ratelimit-limit": "3000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset)},
        )
    )
    with pytest.raises(RateLimited) as err:
        _connector().fetch_since({})
    assert 590 < err.value.retry_after <= 601


def test_server_errors_and_malformed_answers(bsky: respx.MockRouter) -> None:
    route = bsky.get(f"{XRPC}/app.bsky.notification.listNotifications")
    for status in (500, 502, 503):
        route.mock(return_value=httpx.Response(status, json={"error": "InternalServerError"}))
        with pytest.raises(UpstreamError):
            _connector().fetch_since({})
    route.mock(
        return_value=httpx.Response(
            200, content=b'{"notifications": [', headers={"Content-Type": "application/json"}
        )
    )
    with pytest.raises(MalformedResponse):
        _connector().fetch_since({})
    route.mock(return_value=httpx.Response(200, json={"feed": []}))
    with pytest.raises(MalformedResponse, match="no notifications list"):
        _connector().fetch_since({})


def test_reply_sends_parent_and_root_refs(bsky: respx.MockRouter) -> None:
    bsky.get(f"{XRPC}/app.bsky.feed.getPosts").mock(
        return_value=httpx.Response(200, json=_load("get_posts_parent.json"))
    )
    create = bsky.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json=_load("create_record.json"))
    )
    conn = _connector(post_language="en")
    sent = conn.reply(
        parent_external_id="at://did:plc:bob222/app.bsky.feed.post/3kaaa0000002", text="Sorry! We are on it."
    )
    assert sent.external_id == f"at://{BRAND}/app.bsky.feed.post/3kzzz0000009"
    assert sent.url == "https://bsky.app/profile/lumen.bsky.social/post/3kzzz0000009"
    body = json.loads(create.calls[0].request.content)
    assert body["repo"] == BRAND and body["collection"] == "app.bsky.feed.post"
    record = body["record"]
    assert record["text"] == "Sorry! We are on it." and record["langs"] == ["en"]
    strong = "com.atproto.repo.strongRef"
    assert record["reply"] == {
        "$type": "app.bsky.feed.post#replyRef",
        "parent": {
            "$type": strong,
            "uri": "at://did:plc:bob222/app.bsky.feed.post/3kaaa0000002",
            "cid": "bafyrei3kaaa0000002",
        },
        "root": {
            "$type": strong,
            "uri": f"at://{BRAND}/app.bsky.feed.post/3kroot0000001",
            "cid": "bafyreiroot",
        },
    }


def test_publish_creates_a_post_record(bsky: respx.MockRouter) -> None:
    create = bsky.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json=_load("create_record.json"))
    )
    sent = _connector().publish(text="Spring roast is here.", idempotency_key="k1")
    assert sent.raw == {"uri": f"at://{BRAND}/app.bsky.feed.post/3kzzz0000009", "cid": "bafyreinew"}
    record = json.loads(create.calls[0].request.content)["record"]
    assert record["text"] == "Spring roast is here." and "reply" not in record
    assert record["$type"] == "app.bsky.feed.post"


def test_metrics_read_the_brand_profile(bsky: respx.MockRouter) -> None:
    bsky.get(f"{XRPC}/app.bsky.actor.getProfile").mock(
        return_value=httpx.Response(200, json=_load("get_profile_brand.json"))
    )
    now = datetime.now(UTC)
    points = {p.name: p.value for p in _connector().metrics(since=now - timedelta(days=1), until=now)}
    assert points == {"followers": 8120.0, "following": 150.0, "posts": 930.0}


def test_secrets_stay_out_of_debug_logs(bsky: respx.MockRouter, caplog: pytest.LogCaptureFixture) -> None:
    _pages(bsky)
    with caplog.at_level("DEBUG"):
        _connector().fetch_since({})
    assert PASSWORD not in caplog.text and "accessJwt" not in caplog.text


def _created_record(create: respx.Route) -> dict[str, Any]:
    return json.loads(create.calls[0].request.content)["record"]  # type: ignore[no-any-return]


def test_publish_writes_facets_with_byte_offsets_and_the_detected_language(bsky: respx.MockRouter) -> None:
    create = bsky.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json=_load("create_record.json"))
    )

    def resolve(request: httpx.Request) -> httpx.Response:
        if request.url.params["handle"] == "marie.bsky.social":
            return httpx.Response(200, json={"did": "did:plc:marie333"})
        return httpx.Response(400, json={"error": "InvalidRequest", "message": "Unable to resolve handle"})

    bsky.get(f"{XRPC}/com.atproto.identity.resolveHandle").mock(side_effect=resolve)
    text = (
        "Café de spécialité ☕ avec @marie.bsky.social et @personne.example : "
        "torréfaction du matin, https://lumen.example/fr/torrefaction #café #123"
    )
    _connector().publish(text=text, idempotency_key="k1")
    record = _created_record(create)
    assert record["langs"] == ["fr"]  # detected from the text, not English by default
    raw = text.encode()
    spans = {
        raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in record["facets"]
    }
    assert spans == {
        "@marie.bsky.social": {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:marie333"},
        "https://lumen.example/fr/torrefaction": {
            "$type": "app.bsky.richtext.facet#link",
            "uri": "https://lumen.example/fr/torrefaction",
        },
        "#café": {"$type": "app.bsky.richtext.facet#tag", "tag": "café"},
    }  # the unresolved handle and the all-digit tag stay plain text
    first = record["facets"][0]["index"]
    assert (
        first["byteStart"]
        == len("Café de spécialité ☕ avec ".encode())
        != len("Café de spécialité ☕ avec ")
    )


def test_publish_uploads_images_as_blobs_and_embeds_them(bsky: respx.MockRouter) -> None:
    bsky.get("https://cdn.lumen.example/spring.jpg").mock(
        return_value=httpx.Response(
            200, content=b"\xff\xd8\xff\xe0 jpeg bytes", headers={"content-type": "image/jpeg"}
        )
    )
    upload = bsky.post(f"{XRPC}/com.atproto.repo.uploadBlob").mock(
        return_value=httpx.Response(200, json=_load("upload_blob.json"))
    )
    create = bsky.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json=_load("create_record.json"))
    )
    _connector(post_language="en").publish(
        text="Spring roast is here.",
        idempotency_key="k1",
        media_urls=["https://cdn.lumen.example/spring.jpg"],
    )
    assert upload.calls[0].request.content == b"\xff\xd8\xff\xe0 jpeg bytes"
    record = _created_record(create)
    assert record["text"] == "Spring roast is here."  # the image is embedded, not linked
    assert record["embed"] == {
        "$type": "app.bsky.embed.images",
        "images": [
            {
                "$type": "app.bsky.embed.images#image",
                "alt": "",
                "image": {
                    "$type": "blob",
                    "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"},
                    "mimeType": "image/jpeg",
                    "size": 48213,
                },
            }
        ],
    }
    assert record["langs"] == ["en"]


def test_an_oversized_or_non_image_media_stops_the_post(bsky: respx.MockRouter) -> None:
    create = bsky.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json=_load("create_record.json"))
    )
    bsky.get("https://cdn.lumen.example/huge.jpg").mock(
        return_value=httpx.Response(200, content=b"x" * 1_000_001, headers={"content-type": "image/jpeg"})
    )
    bsky.get("https://cdn.lumen.example/page.html").mock(
        return_value=httpx.Response(200, content=b"<html>", headers={"content-type": "text/html"})
    )
    with pytest.raises(ConnectorError, match="larger than the 1,000,000 bytes"):
        _connector().publish(text="x", idempotency_key="k", media_urls=["https://cdn.lumen.example/huge.jpg"])
    with pytest.raises(ConnectorError, match=r"not an image \(text/html\)"):
        _connector().publish(
            text="x", idempotency_key="k", media_urls=["https://cdn.lumen.example/page.html"]
        )
    with pytest.raises(ConnectorError, match="private, loopback"):
        _connector().publish(
            text="x", idempotency_key="k", media_urls=["http://169.254.169.254/latest/meta-data"]
        )
    assert not create.called
