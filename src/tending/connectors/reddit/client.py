"""A praw `Reddit` instance per connector and the mapping of prawcore failures to connector errors.

Listings are read with `Reddit.request`, which returns Reddit's JSON as sent (praw's models would keep
only what they know), while praw still handles OAuth, token refresh and its own rate-limit pacing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import praw
import prawcore
import requests
from praw.exceptions import RedditAPIException
from prawcore.sessions import FiniteRetryStrategy

from tending.connectors import httpkit
from tending.connectors.bases import (
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)

NETWORK = "reddit"
T = TypeVar("T")


def make_reddit(*, credentials: dict[str, str], user_agent: str) -> praw.Reddit:
    """Script or installed app with a user (password or refresh token), else read-only app access."""
    client_id = credentials.get("client_id", "")
    if not client_id:
        raise AuthExpired("credentials need the app's client_id", network=NETWORK)
    settings: dict[str, Any] = {
        "client_id": client_id,
        "client_secret": credentials.get("client_secret") or None,
        "user_agent": user_agent,
        "check_for_updates": False,
        "check_for_async": False,
    }
    settings["requestor_kwargs"] = {"session": _session()}
    if credentials.get("refresh_token"):
        settings["refresh_token"] = credentials["refresh_token"]
    elif credentials.get("username") and credentials.get("password"):
        settings["username"] = credentials["username"]
        settings["password"] = credentials["password"]
    return praw.Reddit(**settings)


def _seconds_retry_after(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """prawcore reads Retry-After as a number and fails on the HTTP-date form RFC 9110 also allows:
    the header reaches it as seconds, read by the shared toolkit."""
    value = response.headers.get("retry-after")
    seconds = httpkit.retry_after_seconds(value)
    if value is not None:
        response.headers["retry-after"] = str(int(seconds)) if seconds is not None else "60"
    return response


def _session() -> requests.Session:
    session = requests.Session()
    session.hooks["response"].append(_seconds_retry_after)
    return session


@dataclass(frozen=True)
class _NoRetry(FiniteRetryStrategy):
    retries: int = 0


@contextmanager
def sent_once(reddit: praw.Reddit) -> Iterator[None]:
    """prawcore retries a request that timed out or got a 5xx, a POST included: a submission or comment
    could then go out twice. Writes run without that retry; tending's own retry looks the post up first."""
    cores: list[Any] = [reddit._core, reddit._authorized_core, reddit._read_only_core]
    sessions = {id(s): s for s in cores if s is not None}
    saved = {key: session._retry_strategy_class for key, session in sessions.items()}
    for session in sessions.values():
        session._retry_strategy_class = _NoRetry
    try:
        yield
    finally:
        for key, session in sessions.items():
            session._retry_strategy_class = saved[key]


def _rate_wait(exc: prawcore.exceptions.ResponseException) -> float:
    """Retry-After (either form), else `x-ratelimit-reset` (seconds left in Reddit's window)."""
    return httpkit.rate_limit_wait(exc.response.headers, default=60.0, delta_headers=("x-ratelimit-reset",))


def call(fn: Callable[[], T], *, what: str) -> T:
    """Run one Reddit call; errors leave as connector errors that never carry secrets."""
    try:
        return fn()
    except (prawcore.exceptions.InvalidToken, prawcore.exceptions.OAuthException):
        raise AuthExpired(
            f"{what}: Reddit refused the token or app credentials; reconnect the account",
            network=NETWORK,
            status=401,
        ) from None
    except prawcore.exceptions.TooManyRequests as exc:
        raise RateLimited(
            f"{what}: rate limit reached", retry_after=_rate_wait(exc), network=NETWORK
        ) from None
    except prawcore.exceptions.ServerError as exc:
        status = exc.response.status_code
        raise UpstreamError(f"{what}: server error {status}", network=NETWORK, status=status) from None
    except prawcore.exceptions.BadJSON:
        raise MalformedResponse(f"{what}: the answer is not JSON", network=NETWORK) from None
    except (prawcore.exceptions.Forbidden, prawcore.exceptions.InsufficientScope):
        raise NotPermitted(
            f"{what}: forbidden (private, banned or missing scope)", network=NETWORK, status=403
        ) from None
    except prawcore.exceptions.Redirect:
        raise ConnectorError(f"{what}: no such subreddit", network=NETWORK, status=302) from None
    except prawcore.exceptions.ResponseException as exc:
        status = exc.response.status_code
        raise httpkit.error_for_status(
            status, network=NETWORK, detail=f"{what}: refused ({status})", wait=partial(_rate_wait, exc)
        ) from None
    except prawcore.exceptions.RequestException as exc:
        raise UpstreamError(
            f"{what}: network failure ({type(exc.original_exception).__name__})", network=NETWORK
        ) from None
    except RedditAPIException as exc:
        kinds = {item.error_type for item in exc.items}
        if "RATELIMIT" in kinds:
            raise RateLimited(f"{what}: Reddit says to wait before posting again", network=NETWORK) from None
        raise ConnectorError(f"{what}: refused ({', '.join(sorted(kinds))})", network=NETWORK) from None
