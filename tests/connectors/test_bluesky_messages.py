"""Bluesky chat through the chat proxy, and one session reused and stored instead of a login per call."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from atproto import Session

from tending.connectors.bases import AuthExpired
from tending.connectors.bluesky import BlueskyConnector

FIX = Path(__file__).parent / "fixtures" / "bluesky"
XRPC = "https://bsky.social/xrpc"
BRAND = "did:plc:brand000"
PASSWORD = "abcd-efgh-ijkl-mnop"
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
CONVO = "3ksbzx7jexx2c"


def _b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def _jwt(scope: str, *, expires_in: int = 7200) -> str:
    now = int(time.time())
    payload = {
        "scope": scope,
        "sub": BRAND,
        "iat": now,
        "exp": now + expires_in,
        "aud": "did:web:bsky.social",
    }
    return f"{_b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{_b64(payload)}.c2lnbmF0dXJl"


def _session(*, access_expires_in: int = 7200) -> dict[str, Any]:
    return {
        "did": BRAND,
        "handle": "lumen.bsky.social",
        "accessJwt": _jwt("com.atproto.appPassPrivileged", expires_in=access_expires_in),
        "refreshJwt": _jwt("com.atproto.refresh", expires_in=90 * 86400),
        "active": True,
    }


def _load(name: str) -> Any:
    return json.loads((FIX / name).read_text())


@pytest.fixture()
def bsky() -> Any:
    """createSession (routes[0]) and the brand's profile, read by `metrics`, the cheapest call."""
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{XRPC}/com.atproto.server.createSession").respond(json=_session())
        router.get(f"{XRPC}/app.bsky.actor.getProfile").respond(json={"did": BRAND, "followersCount": 5})
        yield router


def _connector(credentials: dict[str, str] | None = None, **config: Any) -> BlueskyConnector:
    return BlueskyConnector(
        config=config, credentials=credentials or {"handle": "lumen.bsky.social", "app_password": PASSWORD}
    )


def _stored_session(bsky: respx.MockRouter) -> str:
    saved: list[dict[str, str]] = []
    first = _connector()
    first.credentials_sink = saved.append
    first.metrics(since=None, until=None)  # type: ignore[arg-type]
    assert len(saved) == 1 and saved[0]["session_string"]
    return saved[0]["session_string"]


def test_chat_conversations_are_read_through_the_chat_proxy(bsky: respx.MockRouter) -> None:
    convos = bsky.get(f"{XRPC}/chat.bsky.convo.listConvos").mock(
        return_value=httpx.Response(200, json=_load("list_convos.json"))
    )
    messages = bsky.get(f"{XRPC}/chat.bsky.convo.getMessages").mock(
        return_value=httpx.Response(200, json=_load("get_messages.json"))
    )
    connector = _connector()
    result = connector.fetch_direct({})
    assert [it.text for it in result.items] == ["Hi! Thanks for the follow.", "My grinder arrived broken :("]
    ours, theirs = result.items
    assert (ours.direction, theirs.direction) == ("outbound", "inbound")
    assert theirs.external_id == f"{CONVO}/3ksbzy2msg002" and theirs.kind == "direct"
    assert theirs.thread_external_id == f"conversation:{CONVO}"
    assert theirs.author is not None and theirs.author.handle == "alice.bsky.social"
    assert convos.calls[0].request.headers["atproto-proxy"] == CHAT_PROXY
    assert messages.calls[0].request.url.params["convoId"] == CONVO
    assert result.cursor == {"convos": {CONVO: "2222222xyzm2p"}} and not result.has_more
    again = connector.fetch_direct(result.cursor)  # the conversation's rev did not move: no getMessages
    assert again.items == [] and len(messages.calls) == 1


def test_chat_joins_notifications_when_listening_to_messages(bsky: respx.MockRouter) -> None:
    bsky.get(f"{XRPC}/app.bsky.notification.listNotifications").mock(
        return_value=httpx.Response(200, json={"notifications": []})
    )
    bsky.get(f"{XRPC}/chat.bsky.convo.listConvos").mock(return_value=httpx.Response(200, json={"convos": []}))
    result = _connector(listen_messages=True).fetch_since({})
    assert result.cursor["direct"] == {"convos": {}}


def test_a_chat_message_is_answered_in_its_conversation(bsky: respx.MockRouter) -> None:
    sent = bsky.post(f"{XRPC}/chat.bsky.convo.sendMessage").mock(
        return_value=httpx.Response(
            200,
            json={
                "id": "3ksbzy2msg003",
                "rev": "2222222xyzn4q",
                "text": "So sorry! A new one ships today.",
                "sender": {"did": BRAND},
                "sentAt": "2024-03-05T15:20:00.000Z",
            },
        )
    )
    answer = _connector().reply(
        parent_external_id=f"{CONVO}/3ksbzy2msg002", text="So sorry! A new one ships today."
    )
    assert answer.external_id == f"{CONVO}/3ksbzy2msg003"
    request = sent.calls[0].request
    assert request.headers["atproto-proxy"] == CHAT_PROXY
    body = json.loads(request.content)
    assert body["convoId"] == CONVO and body["message"]["text"] == "So sorry! A new one ships today."


def test_the_session_is_stored_and_reused_without_another_login(bsky: respx.MockRouter) -> None:
    stored = _stored_session(bsky)
    for _ in range(3):  # three later polls or replies: no createSession at all
        later = _connector(
            {"handle": "lumen.bsky.social", "app_password": PASSWORD, "session_string": stored}
        )
        later.metrics(since=None, until=None)  # type: ignore[arg-type]
    assert bsky.routes[0].call_count == 1


def _expired_session_string() -> str:
    session = _session(access_expires_in=-60)
    return Session(
        handle=session["handle"],
        did=BRAND,
        access_jwt=session["accessJwt"],
        refresh_jwt=session["refreshJwt"],
    ).encode()


def test_an_expired_session_is_refreshed_once_and_stored(bsky: respx.MockRouter) -> None:
    stored = _expired_session_string()
    refresh = bsky.post(f"{XRPC}/com.atproto.server.refreshSession").mock(
        return_value=httpx.Response(200, json=_session())
    )
    saved: list[dict[str, str]] = []
    later = _connector({"session_string": stored})
    later.credentials_sink = saved.append
    later.metrics(since=None, until=None)  # type: ignore[arg-type]
    later.metrics(since=None, until=None)  # type: ignore[arg-type]
    assert refresh.call_count == 1 and bsky.routes[0].call_count == 0
    assert len(saved) == 1 and saved[0]["session_string"] != stored


def test_a_refused_refresh_falls_back_to_the_app_password_or_asks_to_reconnect(
    bsky: respx.MockRouter,
) -> None:
    stored = _expired_session_string()
    bsky.post(f"{XRPC}/com.atproto.server.refreshSession").mock(
        return_value=httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has been revoked"})
    )
    with pytest.raises(AuthExpired, match="reconnect"):
        _connector({"session_string": stored}).metrics(since=None, until=None)  # type: ignore[arg-type]
    saved: list[dict[str, str]] = []
    fallback = _connector({"session_string": stored, "handle": "lumen.bsky.social", "app_password": PASSWORD})
    fallback.credentials_sink = saved.append
    fallback.metrics(since=None, until=None)  # type: ignore[arg-type]
    assert bsky.routes[0].call_count == 1 and len(saved) == 1
