"""X direct messages (`/2/dm_events`, `/2/dm_conversations/with/:id/messages`) and OAuth 2.0 renewal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from tending.connectors.bases import AuthExpired
from tending.connectors.x import XConnector

FIX = Path(__file__).parent / "fixtures" / "x"
USER = "1500000000000000999"
CHEN = "2244994945"
DM_EVENTS = "https://api.twitter.com/2/dm_events"
SEND = f"https://api.twitter.com/2/dm_conversations/with/{CHEN}/messages"
ME = "https://api.twitter.com/2/users/me"
TOKEN_URL = "https://api.x.com/2/oauth2/token"
CONVERSATION = f"{USER}-{CHEN}"


def _load(name: str) -> Any:
    return json.loads((FIX / name).read_text())


def _query(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def _x(credentials: dict[str, str] | None = None, **config: object) -> XConnector:
    return XConnector(
        config={"user_id": USER, **config}, credentials=credentials or {"bearer_token": "user-ctx-token"}
    )


def _renewable(**extra: str) -> dict[str, str]:
    return {"bearer_token": "old-access", "refresh_token": "refresh-1", "client_id": "app-client-id", **extra}


@responses.activate
def test_dm_events_become_direct_threads_and_a_second_poll_repeats_nothing() -> None:
    responses.get(DM_EVENTS, json=_load("dm_events_p1.json"))
    connector = _x(listen_messages=True, start="latest")
    first = connector.fetch_direct({})
    assert [it.external_id for it in first.items] == [
        f"{CONVERSATION}/1765300000000000200",
        f"{CONVERSATION}/1765300000000000300",
    ]
    ours, theirs = first.items
    assert (ours.direction, theirs.direction) == ("outbound", "inbound")
    assert theirs.kind == "direct" and theirs.thread_external_id == f"conversation:{CONVERSATION}"
    assert (
        theirs.author is not None and theirs.author.handle == "chenwei_dev" and theirs.author.followers == 812
    )
    asked = _query(responses.calls[0])
    assert asked["event_types"] == "MessageCreate" and "sender_id" in asked["expansions"]
    assert first.cursor == {"floor": "1765300000000000300"} and not first.has_more
    again = connector.fetch_direct(first.cursor)
    assert again.items == []


@responses.activate
def test_a_walk_from_the_beginning_pages_and_resumes() -> None:
    responses.get(DM_EVENTS, json=_load("dm_events_p1.json"))
    responses.get(DM_EVENTS, json=_load("dm_events_p2.json"))
    connector = _x(start="beginning")
    first = connector.fetch_direct({})
    assert first.has_more and first.cursor["pagination_token"] == "18LAA581J5II7LA00C00"
    second = connector.fetch_direct(first.cursor)
    assert [it.text for it in second.items] == ["Do you ship to Lyon?"]
    assert second.cursor == {"floor": "1765300000000000300"} and not second.has_more


@responses.activate
def test_dms_join_mentions_under_their_own_cursor() -> None:
    responses.get(f"https://api.twitter.com/2/users/{USER}/mentions", json={"meta": {"result_count": 0}})
    responses.get(DM_EVENTS, json=_load("dm_events_p1.json"))
    result = _x(listen_messages=True).fetch_since({})
    assert len(result.items) == 2 and result.cursor["direct"] == {"floor": "1765300000000000300"}


@responses.activate
def test_a_dm_is_answered_as_a_dm_to_the_other_participant() -> None:
    sent = responses.post(
        SEND, json={"data": {"dm_conversation_id": CONVERSATION, "dm_event_id": "1765300000000000400"}}
    )
    answer = _x().reply(
        parent_external_id=f"{CONVERSATION}/1765300000000000300", text="Sorry! Sending a new one."
    )
    assert answer.external_id == f"{CONVERSATION}/1765300000000000400"
    assert json.loads(sent.calls[0].request.body) == {"text": "Sorry! Sending a new one."}


@responses.activate
def test_an_expired_access_token_is_renewed_once_then_the_call_succeeds() -> None:
    responses.get(ME, status=401, json=_load("error_401.json"))
    renewal = responses.post(
        TOKEN_URL,
        json={
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": "new-access",
            "scope": "tweet.read users.read offline.access",
            "refresh_token": "refresh-2",
        },
    )
    responses.get(ME, json=_load("me.json"))
    saved: list[dict[str, str]] = []
    connector = _x(_renewable())
    connector.credentials_sink = saved.append
    assert connector.metrics(since=datetime.now(UTC), until=datetime.now(UTC))
    assert len(renewal.calls) == 1
    form = parse_qs(str(renewal.calls[0].request.body))
    assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == ["refresh-1"]
    assert form["client_id"] == ["app-client-id"]
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer new-access"
    assert (
        len(saved) == 1
        and saved[0]["bearer_token"] == "new-access"
        and saved[0]["refresh_token"] == "refresh-2"
    )
    expires = datetime.fromisoformat(saved[0]["expires_at"])
    assert timedelta(hours=1, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=2)


@responses.activate
def test_a_stored_expiry_renews_before_the_first_call() -> None:
    renewal = responses.post(
        TOKEN_URL,
        json={"token_type": "bearer", "expires_in": 7200, "access_token": "fresh", "refresh_token": "r2"},
    )
    responses.get(ME, json=_load("me.json"))
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    connector = _x(_renewable(expires_at=past, client_secret="app-secret"))
    connector.metrics(since=datetime.now(UTC), until=datetime.now(UTC))
    assert len(renewal.calls) == 1 and renewal.calls[0].request.headers["Authorization"].startswith("Basic ")
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer fresh"


@responses.activate
def test_a_refused_renewal_asks_for_a_reconnect() -> None:
    responses.get(ME, status=401, json=_load("error_401.json"))
    responses.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_request", "error_description": "Value passed for the token was invalid."},
    )
    saved: list[dict[str, str]] = []
    connector = _x(_renewable())
    connector.credentials_sink = saved.append
    with pytest.raises(AuthExpired, match="reconnect"):
        connector.metrics(since=datetime.now(UTC), until=datetime.now(UTC))
    assert saved == []


@responses.activate
def test_a_second_401_after_renewal_is_not_retried_again() -> None:
    responses.get(ME, status=401, json=_load("error_401.json"))
    renewal = responses.post(
        TOKEN_URL, json={"token_type": "bearer", "expires_in": 7200, "access_token": "a2"}
    )
    responses.get(ME, status=401, json=_load("error_401.json"))
    with pytest.raises(AuthExpired):
        _x(_renewable()).metrics(since=datetime.now(UTC), until=datetime.now(UTC))
    assert len(renewal.calls) == 1


@responses.activate
def test_oauth1_tokens_are_never_renewed() -> None:
    responses.get(ME, status=401, json=_load("error_401.json"))
    keys = {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at", "access_token_secret": "ats"}
    with pytest.raises(AuthExpired):
        _x({**keys, "refresh_token": "r", "client_id": "c", "bearer_token": "b"}).metrics(
            since=datetime.now(UTC), until=datetime.now(UTC)
        )
    assert len(responses.calls) == 1
