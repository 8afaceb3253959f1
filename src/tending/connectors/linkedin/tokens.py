"""LinkedIn access tokens that renew: member tokens last 60 days; apps LinkedIn enabled for programmatic
refresh tokens get a refresh token (365 days) that buys a new access token at
`POST https://www.linkedin.com/oauth/v2/accessToken` (`grant_type=refresh_token`, the app's client id and
secret). LinkedIn answers with the same refresh token and its remaining lifetime.

Without a refresh token the access token cannot renew: the channel page warns 14 days before
`expires_at` (see `tending.channel.renewal`). A refused refresh (`invalid_request`/`invalid_grant`: the
refresh token expired or was revoked) is AuthExpired, so the channel asks for a reconnect.
"""

from __future__ import annotations

import httpx
import orjson

from tending.connectors import http as outbound
from tending.connectors.bases import AuthExpired, MalformedResponse, UpstreamError
from tending.connectors.bases.renewal import EXPIRES_AT, REFRESH_EXPIRES_AT, expiry_in
from tending.connectors.linkedin.client import NETWORK

TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
_WHAT = "renewing the access token"


def can_renew(credentials: dict[str, str]) -> bool:
    return all(credentials.get(k) for k in ("refresh_token", "client_id", "client_secret"))


def renew(credentials: dict[str, str], *, http: httpx.Client) -> dict[str, str]:
    """The new access token, the refresh token to keep, and when each ends."""
    try:
        response = http.post(
            TOKEN_URL,
            data={
                "grant_type": "refresh_token",
                "refresh_token": credentials["refresh_token"],
                "client_id": credentials["client_id"],
                "client_secret": credentials["client_secret"],
            },
            headers={"Accept": "application/json"},
        )
    except httpx.TransportError:
        raise UpstreamError(f"{_WHAT}: {outbound.UNREACHABLE}", network=NETWORK) from None
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
    status = response.status_code
    if status >= 500:
        raise UpstreamError(f"{_WHAT}: server error {status}", network=NETWORK, status=status)
    if status >= 400 or (isinstance(body, dict) and body.get("error")):
        error = str(body.get("error") or status) if isinstance(body, dict) else str(status)
        raise AuthExpired(
            f"LinkedIn refused to renew the access token ({error}); reconnect the page",
            network=NETWORK,
            status=status,
        )
    if not isinstance(body, dict) or not body.get("access_token"):
        raise MalformedResponse(f"{_WHAT}: no access_token in the answer", network=NETWORK, status=status)
    return {
        "access_token": str(body["access_token"]),
        "refresh_token": str(body.get("refresh_token") or credentials["refresh_token"]),
        EXPIRES_AT: expiry_in(body.get("expires_in")),
        REFRESH_EXPIRES_AT: expiry_in(body.get("refresh_token_expires_in")),
    }
