"""tweepy's v2 client as the X connector uses it, and tweepy's errors as connector errors.

The client answers plain dicts (`return_type=dict`) so the connector keeps X's JSON as sent; it never
sleeps on a rate limit (`wait_on_rate_limit=False`): a poll reports RateLimited with the reset time from
`x-rate-limit-reset` and the caller retries. Requests get a time-out (tweepy sets none), and tweepy's
DEBUG request logs, which print the Authorization header, are dropped.

X's free tier can post but cannot read: its mentions timeline answers 403 `client-not-enrolled`, which
becomes NotPermitted saying that reading needs a paid tier (Basic or above).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import requests
import tweepy

from tending.connectors import httpkit
from tending.connectors.bases import (
    AuthExpired,
    MalformedResponse,
    NotPermitted,
    UpstreamError,
)

NETWORK = "x"
PAID_TIER_NEEDED = (
    "X refused to read: the API tier of this app does not include reading mentions. The free tier can only "
    "post; reading needs a paid tier (Basic or above)"
)
_TIER_MARKS = (
    "client-not-enrolled",
    "appropriate level of api access",
    "access level",
    "not permitted for this tier",
)
_DEFAULT_WAIT_S = 900.0  # X's rate-limit windows last 15 minutes


class _DropDebugRecords(logging.Filter):
    """tweepy logs each request's headers (the bearer token among them) at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_DEBUG_FILTER = _DropDebugRecords()


class TimeoutSession(requests.Session):
    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self._timeout_s = timeout_s

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self._timeout_s)
        return super().request(method, url, *args, **kwargs)


def make_client(*, credentials: dict[str, str], timeout_s: float) -> tuple[tweepy.Client, bool]:
    """The client and whether calls use OAuth 1.0a user context (`user_auth=True`).

    OAuth 1.0a needs `consumer_key`, `consumer_secret`, `access_token`, `access_token_secret`; otherwise
    `bearer_token` is an OAuth 2.0 user-context token (scopes `tweet.read tweet.write users.read
    offline.access`).
    """
    logger = logging.getLogger("tweepy.client")
    if _DEBUG_FILTER not in logger.filters:
        logger.addFilter(_DEBUG_FILTER)
    oauth1 = all(
        credentials.get(k) for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    )
    if oauth1:
        client = tweepy.Client(
            consumer_key=credentials["consumer_key"],
            consumer_secret=credentials["consumer_secret"],
            access_token=credentials["access_token"],
            access_token_secret=credentials["access_token_secret"],
            return_type=dict,
            wait_on_rate_limit=False,
        )
    else:
        client = tweepy.Client(
            bearer_token=credentials.get("bearer_token") or None, return_type=dict, wait_on_rate_limit=False
        )
    client.session = TimeoutSession(timeout_s)
    return client, oauth1


def _body_text(exc: tweepy.HTTPException) -> str:
    try:
        return str(exc.response.text or "")
    except (AttributeError, UnicodeDecodeError):
        return ""


def _x_message(exc: tweepy.HTTPException) -> str:
    messages = [str(m) for m in exc.api_messages if m]
    return "; ".join(messages)[:300] or f"HTTP {exc.response.status_code}"


def _forbidden(exc: tweepy.Forbidden, *, what: str) -> NotPermitted:
    body = _body_text(exc).lower()
    if any(mark in body for mark in _TIER_MARKS):
        return NotPermitted(f"{what}: {PAID_TIER_NEEDED}", network=NETWORK, status=403)
    if "unsupported authentication" in body or "unsupported-authentication" in body:
        return NotPermitted(
            f"{what}: X needs a user-context token (OAuth 1.0a or OAuth 2.0 user), not an app-only bearer",
            network=NETWORK,
            status=403,
        )
    return NotPermitted(f"{what}: forbidden ({_x_message(exc)})", network=NETWORK, status=403)


def call(fn: Callable[[], Any], *, what: str) -> dict[str, Any]:
    """Run one tweepy call; the answer must be a JSON object. Errors never carry keys or tokens."""
    try:
        answer = fn()
    except tweepy.Unauthorized as exc:
        raise AuthExpired(
            f"{what}: the token was refused ({_x_message(exc)}); reconnect the account",
            network=NETWORK,
            status=401,
        ) from None
    except tweepy.Forbidden as exc:
        raise _forbidden(exc, what=what) from None
    except tweepy.HTTPException as exc:  # 429, 5xx and the rest, read the same way as every network's
        headers = exc.response.headers
        raise httpkit.error_for_status(
            exc.response.status_code,
            network=NETWORK,
            detail=f"{what}: refused ({_x_message(exc)})",
            wait=lambda: httpkit.rate_limit_wait(
                headers, default=_DEFAULT_WAIT_S, epoch_headers=("x-rate-limit-reset",)
            ),
        ) from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise UpstreamError(f"{what}: network failure ({type(exc).__name__})", network=NETWORK) from None
    except ValueError:
        raise MalformedResponse(f"{what}: the answer is not JSON", network=NETWORK) from None
    if not isinstance(answer, dict):
        raise MalformedResponse(f"{what}: the answer is not a JSON object", network=NETWORK)
    return answer
