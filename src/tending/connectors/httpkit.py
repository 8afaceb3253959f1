"""The HTTP toolkit every connector shares: how long to wait (Retry-After, reset headers, backoff) and
which connector error an HTTP answer is (401 → reconnect, 403 → not permitted, 429 → rate limited with
its wait, 5xx → upstream, an unreadable body → malformed).

Connectors built on an SDK (tweepy, praw, Mastodon.py, atproto, google-api-python-client) catch the
SDK's exceptions and hand the status and headers here, so every network reads Retry-After the same way
(both RFC 9110 forms: delay-seconds and HTTP-date) and a 5xx means the same thing everywhere.
The connection guard itself lives in `tending.connectors.http`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from email.utils import parsedate_to_datetime
from typing import Any

import orjson

from tending.connectors.bases.errors import (
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)
from tending.connectors.http import UNREACHABLE

MIN_WAIT_S = 1.0


def header(headers: Any, name: str) -> str | None:
    """A header's value from any SDK's header mapping (httpx, requests, httplib2, plain dicts), by
    case-insensitive name; None when absent."""
    if headers is None:
        return None
    wanted = name.lower()
    items: Iterable[tuple[Any, Any]] = headers.items() if hasattr(headers, "items") else ()
    for key, value in items:
        if str(key).lower() == wanted and value is not None:
            return str(value)
    return None


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value, given as delay-seconds (`120`) or as an HTTP-date
    (`Wed, 21 Oct 2026 07:28:00 GMT`); None when absent or unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is always GMT
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def seconds_until_epoch(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds until a reset time given as Unix epoch seconds (`x-rate-limit-reset`, `ratelimit-reset`)."""
    if not value or not value.strip():
        return None
    try:
        reset = float(value.strip())
    except ValueError:
        return None
    return max(reset - (time.time() if now is None else now), 0.0)


def rate_limit_wait(
    headers: Any,
    *,
    default: float,
    epoch_headers: Iterable[str] = (),
    delta_headers: Iterable[str] = (),
    now: float | None = None,
) -> float:
    """How long to wait after a 429: Retry-After first, then the network's reset headers (epoch times
    or seconds from now), else `default`; never less than a second."""
    found = retry_after_seconds(header(headers, "retry-after"), now=now)
    for name in epoch_headers:
        if found is None:
            found = seconds_until_epoch(header(headers, name), now=now)
    for name in delta_headers:
        if found is None:
            found = retry_after_seconds(header(headers, name))
    return max(found if found is not None else default, MIN_WAIT_S)


def backoff_s(attempt: int, *, base: float = 60.0, cap: float = 3600.0, jitter: float = 0.0) -> float:
    """Exponential backoff for the `attempt`-th retry (1, 2, ...): base, 2·base, 4·base... up to `cap`;
    `jitter` (0..1) spreads retries of many channels so they do not all come back at once."""
    delay = min(base * 2 ** max(attempt - 1, 0), cap)
    if jitter:
        delay *= 1.0 - random.uniform(0.0, min(jitter, 1.0))
    return delay


def error_for_status(
    status: int,
    *,
    network: str,
    detail: str,
    headers: Any = None,
    default_wait: float = 60.0,
    wait: Callable[[], float] | None = None,
    auth_hint: str = "reconnect the account",
    permission_hint: str = "check the token's permissions",
) -> ConnectorError:
    """The connector error of an HTTP failure `status`; `detail` already says what was asked and what the
    network answered. `wait` computes a 429's delay where the network has its own reset headers."""
    if status == 401:
        return AuthExpired(f"{detail}; {auth_hint}", network=network, status=401)
    if status == 403:
        return NotPermitted(f"{detail}; {permission_hint}", network=network, status=403)
    if status == 429:
        delay = wait() if wait else rate_limit_wait(headers, default=default_wait)
        return RateLimited(detail, retry_after=delay, network=network, status=429)
    if status >= 500:
        return UpstreamError(detail, network=network, status=status)
    return ConnectorError(detail, network=network, status=status)


def unreachable(*, network: str, what: str) -> UpstreamError:
    """A connection that failed or was refused by the guard: one message for all (see `http`)."""
    return UpstreamError(f"{what}: {UNREACHABLE}", network=network)


def parse_json(content: bytes, *, network: str, what: str, status: int) -> Any:
    """The JSON of an answer body; a success that is not JSON is malformed, an error page (HTML) is None
    so the status alone tells what happened."""
    if not content:
        return None
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        if status < 300:
            raise MalformedResponse(
                f"{what}: the answer is not JSON (HTTP {status})", network=network, status=status
            ) from None
        return None


def json_object(value: Any, *, network: str, what: str) -> dict[str, Any]:
    """`value` when it is a JSON object; anything else (a list, a string, HTML) is malformed."""
    if not isinstance(value, dict):
        raise MalformedResponse(f"{what}: the answer is not a JSON object", network=network)
    return value
