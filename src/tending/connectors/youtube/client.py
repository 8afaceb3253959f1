"""The YouTube Data API v3 service from google-api-python-client, and its errors as connector errors.

The service is built from the discovery document shipped inside the package (`static_discovery=True`),
so building it needs no network. Tokens ride in an authorised httplib2 transport that refreshes the
access token with the refresh token when it expires; a refused refresh means the channel must be
reconnected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httplib2
from google.auth.exceptions import RefreshError, TransportError
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from tending.connectors import httpkit
from tending.connectors.bases import (
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    RateLimited,
    UpstreamError,
)

NETWORK = "youtube"
SCOPES = ["https://www.googleapis.com/auth/youtube.force-ssl"]
TOKEN_URI = "https://oauth2.googleapis.com/token"
_QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "RATE_LIMIT_EXCEEDED"})
_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_QUOTA_ZONE = "America/Los_Angeles"


def make_service(*, credentials: dict[str, str], timeout_s: float, http: Any | None = None) -> Any:
    """A `youtube` v3 resource; `http` replaces the authorised transport (tests pass a mock)."""
    if http is None:
        from google.oauth2.credentials import Credentials
        from google_auth_httplib2 import AuthorizedHttp

        creds = Credentials(
            token=credentials.get("access_token") or None,
            refresh_token=credentials.get("refresh_token") or None,
            client_id=credentials.get("client_id") or None,
            client_secret=credentials.get("client_secret") or None,
            token_uri=TOKEN_URI,
            scopes=SCOPES,
        )
        http = AuthorizedHttp(creds, http=httplib2.Http(timeout=timeout_s))
    return build("youtube", "v3", http=http, static_discovery=True, cache_discovery=False)


def seconds_to_quota_reset(now: datetime | None = None) -> float:
    """YouTube's daily quota resets at midnight Pacific time."""
    try:
        zone: Any = ZoneInfo(_QUOTA_ZONE)
    except (KeyError, ValueError):
        zone = UTC
    local = (now or datetime.now(UTC)).astimezone(zone)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max((midnight - local).total_seconds(), 60.0)


def _reasons(exc: HttpError) -> set[str]:
    try:
        body = json.loads(exc.content.decode("utf-8"))
    except (ValueError, AttributeError):
        return set()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return set()
    found = {
        str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict) and e.get("reason")
    }
    found |= {
        str(d.get("reason")) for d in error.get("details") or [] if isinstance(d, dict) and d.get("reason")
    }
    return found


def call(fn: Callable[[], Any], *, what: str) -> dict[str, Any]:
    """Run one request (`.execute`); the answer must be a JSON object, failures leave as connector errors."""
    try:
        answer = fn()
    except HttpError as exc:
        raise _error(exc, what=what) from None
    except RefreshError:
        raise AuthExpired(
            f"{what}: the refresh token was refused; reconnect the channel", network=NETWORK, status=401
        ) from None
    except (TransportError, httplib2.HttpLib2Error, OSError) as exc:
        raise UpstreamError(f"{what}: network failure ({type(exc).__name__})", network=NETWORK) from None
    except ValueError:
        raise MalformedResponse(f"{what}: unreadable answer", network=NETWORK) from None
    if not isinstance(answer, dict):
        raise MalformedResponse(f"{what}: the answer is not a JSON object", network=NETWORK)
    return answer


def _error(exc: HttpError, *, what: str) -> ConnectorError:
    status = int(exc.resp.status) if exc.resp is not None else 0
    reasons = _reasons(exc)
    label = ", ".join(sorted(reasons)) or f"HTTP {status}"
    if reasons & _QUOTA_REASONS:
        return RateLimited(
            f"{what}: the daily API quota is spent ({label})",
            retry_after=seconds_to_quota_reset(),
            network=NETWORK,
            status=status,
        )
    if reasons & _RATE_REASONS:
        status = 429  # YouTube sends its per-user rate limits as 403s
    return httpkit.error_for_status(
        status,
        network=NETWORK,
        detail=f"{what}: refused ({label})",
        headers=exc.resp,
        auth_hint="reconnect the channel",
        permission_hint="check the channel's permissions",
    )
