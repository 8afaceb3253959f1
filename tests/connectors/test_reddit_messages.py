"""Reddit private messages (inbox `t4`, answered with `/api/comment`) and refresh tokens that renew."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import responses
from responses import matchers

from tending.connectors.bases import AuthExpired, NotPermitted
from tending.connectors.bases.messages import DirectMessageCapability
from tending.connectors.reddit import RedditConnector

FIX = Path(__file__).parent / "fixtures" / "reddit"
TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
API = "https://oauth.reddit.com"


def _load(name: str) -> Any:
    return json.loads((FIX / name).read_text())


def _token(**extra: Any) -> dict[str, Any]:
    return {"access_token": "tok-abc", "token_type": "bearer", "expires_in": 86400, "scope": "*", **extra}


@pytest.fixture()
def reddit() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{API}/api/user_data_by_account_ids", json=_load("user_data.json"))
        yield mock


def _connector(**config: Any) -> RedditConnector:
    credentials = {"client_id": "app-id", "client_secret": "app-secret", "refresh_token": "refresh-1"}
    return RedditConnector(
        config={"subreddit": "LumenCoffee", "username": "lumen_official", **config}, credentials=credentials
    )


def test_private_messages_become_one_conversation_per_person(reddit: responses.RequestsMock) -> None:
    reddit.post(TOKEN_URL, json=_token())
    reddit.get(f"{API}/message/inbox", json=_load("inbox_messages.json"))
    result = _connector().fetch_direct({})
    assert [it.external_id for it in result.items] == ["t4_1xm7p01", "t4_1xm7p03"]
    first, answer = result.items
    assert first.kind == answer.kind == "direct"
    assert first.thread_external_id == answer.thread_external_id == "conversation:u/priya_p"
    assert first.text == "Wholesale beans?\n\nDo you sell to cafés?"
    assert answer.text == "Great, 5 kg a month to start." and answer.parent_external_id == "t4_1xm7p02"
    assert answer.author is not None and answer.author.handle == "priya_p"
    assert answer.author.account_created_at == datetime(2020, 1, 1, tzinfo=UTC)
    assert result.cursor == {"before": "t4_1xm7p03"}


def test_the_next_poll_asks_for_what_came_after(reddit: responses.RequestsMock) -> None:
    reddit.post(TOKEN_URL, json=_token())
    later = reddit.get(
        f"{API}/message/inbox",
        json={"kind": "Listing", "data": {"children": [], "after": None, "before": None}},
        match=[matchers.query_param_matcher({"before": "t4_1xm7p03"}, strict_match=False)],
    )
    result = _connector().fetch_direct({"before": "t4_1xm7p03"})
    assert result.items == [] and result.cursor == {"before": "t4_1xm7p03"} and later.call_count == 1


def test_messages_join_the_streams_only_when_listening(reddit: responses.RequestsMock) -> None:
    reddit.post(TOKEN_URL, json=_token())
    reddit.get(f"{API}/message/inbox", json=_load("inbox_messages.json"))
    result = _connector(listen_subreddit=False, listen_inbox=False, listen_messages=True).fetch_since({})
    assert len(result.items) == 2 and result.cursor["direct"] == {"before": "t4_1xm7p03"}
    assert issubclass(RedditConnector, DirectMessageCapability)


def test_a_message_is_answered_in_its_chain(reddit: responses.RequestsMock) -> None:
    reddit.post(TOKEN_URL, json=_token())
    route = reddit.post(f"{API}/api/comment/", json=_load("message_created.json"))
    sent = _connector().reply(parent_external_id="t4_1xm7p03", text="Perfect, we will send a price list.")
    assert sent.external_id == "t4_1xm7p04"
    assert sent.created_at == datetime.fromtimestamp(1709662000, UTC)
    body = parse_qs(str(route.calls[0].request.body))
    assert body["thing_id"] == ["t4_1xm7p03"] and body["text"] == ["Perfect, we will send a price list."]


def test_messages_need_a_user_token() -> None:
    app_only = RedditConnector(
        config={"subreddit": "LumenCoffee"}, credentials={"client_id": "app-id", "client_secret": "s"}
    )
    with pytest.raises(NotPermitted):
        app_only.fetch_direct({})


def test_a_rotated_refresh_token_is_stored_once(reddit: responses.RequestsMock) -> None:
    renewal = reddit.post(TOKEN_URL, json=_token(refresh_token="refresh-2"))
    reddit.get(f"{API}/message/inbox", json=_load("inbox_messages.json"))
    saved: list[dict[str, str]] = []
    connector = _connector()
    connector.credentials_sink = saved.append
    connector.fetch_direct({})
    assert renewal.call_count == 1
    assert parse_qs(str(renewal.calls[0].request.body))["refresh_token"] == ["refresh-1"]
    assert [s["refresh_token"] for s in saved] == ["refresh-2"]
    assert saved[0]["client_secret"] == "app-secret"


def test_an_unchanged_refresh_token_is_not_stored_again(reddit: responses.RequestsMock) -> None:
    reddit.post(TOKEN_URL, json=_token())
    reddit.get(f"{API}/message/inbox", json=_load("inbox_messages.json"))
    saved: list[dict[str, str]] = []
    connector = _connector()
    connector.credentials_sink = saved.append
    connector.fetch_direct({})
    assert saved == []


def test_a_revoked_refresh_token_asks_for_a_reconnect() -> None:
    with responses.RequestsMock() as mock:
        mock.post(TOKEN_URL, json={"error": "invalid_grant"})
        with pytest.raises(AuthExpired, match="reconnect"):
            _connector().fetch_direct({})
