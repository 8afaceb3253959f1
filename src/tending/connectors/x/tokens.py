"""X OAuth 2.0 user tokens that renew: access tokens last 2 hours, the refresh token (scope
`offline.access`) buys a new pair at `POST /2/oauth2/token`, and X retires the old refresh token at once.

The connector renews before a call when the stored expiry has passed, and once after a 401 (a token
revoked early, a clock that drifted): the request is sent again with the new token. A refused refresh
(`invalid_grant`, `invalid_request`: the refresh token was revoked or already used) is `AuthExpired`,
so the channel asks a person to reconnect. OAuth 1.0a tokens do not expire and are never renewed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
import tweepy
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from tending.connectors.bases import AuthExpired, MalformedResponse, UpstreamError
from tending.connectors.bases.renewal import EXPIRES_AT, expiry_in
from tending.connectors.x.client import NETWORK, TimeoutSession

_WHAT = "renewing the access token"
TOKEN_URL = "https://api.x.com/2/oauth2/token"
# Credential keys of an OAuth 2.0 user context that can renew itself.
ACCESS, REFRESH, CLIENT_ID, CLIENT_SECRET = "bearer_token", "refresh_token", "client_id", "client_secret"


def can_renew(credentials: dict[str, str]) -> bool:
    return all(credentials.get(k) for k in (ACCESS, REFRESH, CLIENT_ID))


def renew(credentials: dict[str, str], *, timeout_s: float) -> dict[str, str]:
    """A new access token (and the refresh token that replaces the used one) from X's token endpoint,
    through tweepy's OAuth 2.0 handler; a confidential client authenticates with HTTP basic auth."""
    handler = tweepy.OAuth2UserHandler(
        client_id=credentials[CLIENT_ID],
        redirect_uri="https://localhost/",  # not used by a refresh; the handler requires one
        scope=None,  # the refresh keeps the granted scopes; a requested set would be "changed"
        client_secret=credentials.get(CLIENT_SECRET) or None,
    )
    try:
        token: dict[str, Any] = handler.refresh_token(
            TOKEN_URL,
            refresh_token=credentials[REFRESH],
            auth=handler.auth,
            client_id=credentials[CLIENT_ID],
            include_client_id=handler.auth is None,
            timeout=timeout_s,
        )
    except OAuth2Error as exc:
        status = getattr(exc, "status_code", None) or 400
        if status >= 500:
            raise UpstreamError(
                f"renewing the access token: server error {status}", network=NETWORK
            ) from None
        raise AuthExpired(
            f"X refused to renew the access token ({exc.error}); reconnect the account",
            network=NETWORK,
            status=status,
        ) from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise UpstreamError(f"{_WHAT}: {type(exc).__name__}", network=NETWORK) from None
    except ValueError:
        raise MalformedResponse(
            "renewing the access token: the answer is not JSON", network=NETWORK
        ) from None
    if not token.get("access_token"):
        raise MalformedResponse(f"{_WHAT}: no access_token in the answer", network=NETWORK)
    return {
        ACCESS: str(token["access_token"]),
        REFRESH: str(token.get("refresh_token") or credentials[REFRESH]),
        EXPIRES_AT: expiry_in(token.get("expires_in")),
    }


class RenewingSession(TimeoutSession):
    """tweepy's HTTP session: a 401 renews the access token once and sends the request again."""

    def __init__(self, timeout_s: float, *, renew_token: Callable[[], str]) -> None:
        super().__init__(timeout_s)
        self._renew_token = renew_token
        self._renewed = False

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        if response.status_code != 401 or self._renewed:
            return response
        self._renewed = True
        response.close()
        headers = dict(kwargs.get("headers") or {})
        headers["Authorization"] = f"Bearer {self._renew_token()}"
        return super().request(method, url, *args, **{**kwargs, "headers": headers})
