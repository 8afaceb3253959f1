"""LinkedIn access tokens renewed from a programmatic refresh token, once, and stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from tending.connectors.bases import AuthExpired
from tending.connectors.linkedin import LinkedInConnector

REST = "https://api.linkedin.com/rest"
TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
RENEWED = {
    "access_token": "AQV-new-access",
    "expires_in": 5184000,
    "refresh_token": "AQX-refresh",
    "refresh_token_expires_in": 31103999,
}


def _li(mock: respx.Router, **credentials: str) -> tuple[LinkedInConnector, list[dict[str, str]]]:
    saved: list[dict[str, str]] = []
    connector = LinkedInConnector(
        config={"organization_id": "2414183"},
        credentials={
            "access_token": "AQV-old-access",
            "refresh_token": "AQX-refresh",
            "client_id": "86abc",
            "client_secret": "li-app-secret",
            **credentials,
        },
        http=httpx.Client(transport=httpx.MockTransport(mock.handler)),
    )
    connector.credentials_sink = saved.append
    return connector, saved


def _posts(connector: LinkedInConnector) -> dict[str, object]:
    return connector.api.get("posts", query="q=author&author=urn%3Ali%3Aorganization%3A2414183", what="posts")


def test_a_401_renews_the_token_once_and_the_call_succeeds() -> None:
    mock = respx.Router(assert_all_called=True)
    posts = mock.get(f"{REST}/posts")
    posts.side_effect = [
        httpx.Response(401, json={"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN"}),
        httpx.Response(200, json={"elements": [], "paging": {"start": 0, "count": 10}}),
    ]
    renewal = mock.post(TOKEN_URL).respond(json=RENEWED)
    connector, saved = _li(mock)
    assert _posts(connector) == {"elements": [], "paging": {"start": 0, "count": 10}}
    form = parse_qs(renewal.calls[0].request.content.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["AQX-refresh"],
        "client_id": ["86abc"],
        "client_secret": ["li-app-secret"],
    }
    assert posts.calls[1].request.headers["Authorization"] == "Bearer AQV-new-access"
    assert len(saved) == 1 and saved[0]["access_token"] == "AQV-new-access"
    expires = datetime.fromisoformat(saved[0]["expires_at"]) - datetime.now(UTC)
    assert timedelta(days=59) < expires <= timedelta(days=60)
    assert datetime.fromisoformat(saved[0]["refresh_token_expires_at"]) > datetime.now(UTC) + timedelta(
        days=359
    )


def test_a_stored_expiry_renews_before_the_first_call() -> None:
    mock = respx.Router(assert_all_called=True)
    renewal = mock.post(TOKEN_URL).respond(json=RENEWED)
    posts = mock.get(f"{REST}/posts").respond(json={"elements": []})
    connector, _saved = _li(mock, expires_at=(datetime.now(UTC) - timedelta(hours=1)).isoformat())
    _posts(connector)
    assert (
        renewal.call_count == 1 and posts.calls[0].request.headers["Authorization"] == "Bearer AQV-new-access"
    )


def test_a_refused_refresh_token_asks_for_a_reconnect() -> None:
    mock = respx.Router(assert_all_called=True)
    mock.get(f"{REST}/posts").respond(401, json={"status": 401, "code": "EXPIRED_ACCESS_TOKEN"})
    mock.post(TOKEN_URL).respond(
        400,
        json={
            "error": "invalid_request",
            "error_description": "The provided authorization grant or refresh token is invalid, expired or revoked",
        },
    )
    connector, saved = _li(mock)
    with pytest.raises(AuthExpired, match="reconnect"):
        _posts(connector)
    assert saved == []


def test_a_second_401_is_not_renewed_again() -> None:
    mock = respx.Router(assert_all_called=True)
    posts = mock.get(f"{REST}/posts").respond(401, json={"status": 401, "code": "REVOKED_ACCESS_TOKEN"})
    renewal = mock.post(TOKEN_URL).respond(json=RENEWED)
    connector, _saved = _li(mock)
    with pytest.raises(AuthExpired):
        _posts(connector)
    with pytest.raises(AuthExpired):
        _posts(connector)
    assert renewal.call_count == 1 and posts.call_count == 3


def test_without_a_refresh_token_nothing_is_renewed() -> None:
    mock = respx.Router(assert_all_called=True)
    mock.get(f"{REST}/posts").respond(401, json={"status": 401, "code": "EXPIRED_ACCESS_TOKEN"})
    connector = LinkedInConnector(
        config={"organization_id": "2414183"},
        credentials={"access_token": "AQV-old", "expires_at": "2026-03-10T00:00:00+00:00"},
        http=httpx.Client(transport=httpx.MockTransport(mock.handler)),
    )
    with pytest.raises(AuthExpired):
        _posts(connector)
    assert connector.reconnect_by() == datetime(2026, 3, 10, tzinfo=UTC)
