"""Mastodon.py behind one function that turns its exceptions into connector errors.

The client is built with `ratelimit_method="throw"`: a poll must not sleep for minutes inside a
worker; it reports RateLimited with the reset time from `X-RateLimit-Reset` and the caller retries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from tending.connectors import http as outbound
from tending.connectors import httpkit
from tending.connectors.bases import (
    ConnectorError,
    MalformedResponse,
    RateLimited,
    UpstreamError,
)

NETWORK = "mastodon"
_SEEN = "tending_rate_headers"
T = TypeVar("T")


def make_api(
    *, access_token: str, api_base_url: str, timeout_s: float, policy: outbound.OutboundPolicy
) -> Mastodon:
    """The instance is an address a member typed: Mastodon.py talks through a guarded session."""
    session = outbound.requests_session(policy)
    # Mastodon.py's rate-limit error carries no headers: a 429's Retry-After is kept for `_wait`.
    seen: dict[str, str] = {}

    def keep_retry_after(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        seen.clear()
        if response.status_code == 429:
            seen["retry-after"] = response.headers.get("retry-after", "")
        return response

    session.hooks["response"].append(keep_retry_after)
    setattr(session, _SEEN, seen)
    return Mastodon(
        access_token=access_token,
        api_base_url=api_base_url,
        ratelimit_method="throw",
        request_timeout=timeout_s,
        version_check_mode="none",
        session=session,
    )


def _status_of(exc: MastodonAPIError) -> int | None:
    for arg in exc.args[1:2]:
        if isinstance(arg, int):
            return arg
    return None


def _wait(api: Mastodon) -> float:
    """Retry-After when the server sent one, else the end of the window Mastodon.py read from
    `X-RateLimit-Reset`, else five minutes."""
    seen: dict[str, str] = getattr(getattr(api, "session", None), _SEEN, {})
    reset = getattr(api, "ratelimit_reset", None)
    found = httpkit.seconds_until_epoch(str(reset)) if reset else None
    return httpkit.rate_limit_wait(seen, default=found if found is not None else 300.0)


def call(api: Mastodon, fn: Callable[[], T], *, what: str) -> T:
    """Run one API call; Mastodon.py's errors leave as connector errors that never carry the token."""
    try:
        return fn()
    except MastodonUnauthorizedError:
        raise httpkit.error_for_status(
            401, network=NETWORK, detail=f"{what}: the access token was refused (401)"
        ) from None
    except MastodonRatelimitError:
        raise RateLimited(f"{what}: rate limit reached", retry_after=_wait(api), network=NETWORK) from None
    except MastodonNetworkError as exc:
        raise UpstreamError(f"{what}: network failure ({type(exc).__name__})", network=NETWORK) from None
    except MastodonNotFoundError:
        raise ConnectorError(f"{what}: not found (404)", network=NETWORK, status=404) from None
    except MastodonAPIError as exc:
        message = str(exc.args[0]) if exc.args else ""
        if "Could not parse response as JSON" in message:
            raise MalformedResponse(f"{what}: the server's answer is not JSON", network=NETWORK) from None
        status = _status_of(exc) or (500 if isinstance(exc, MastodonServerError) else 400)
        detail = exc.args[3] if len(exc.args) > 3 and exc.args[3] else status
        raise httpkit.error_for_status(
            status,
            network=NETWORK,
            detail=f"{what}: refused ({detail})",
            wait=lambda: _wait(api),
            permission_hint="check the token's scopes",
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise MalformedResponse(
            f"{what}: unexpected answer ({type(exc).__name__})", network=NETWORK
        ) from None
