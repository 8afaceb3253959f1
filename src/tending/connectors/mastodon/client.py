"""Mastodon.py behind one function that turns its exceptions into connector errors.

The client is built with `ratelimit_method="throw"`: a poll must not sleep for minutes inside a
worker; it reports RateLimited with the reset time from `X-RateLimit-Reset` and the caller retries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

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
from tending.connectors.bases import (
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)

NETWORK = "mastodon"
T = TypeVar("T")


def make_api(
    *, access_token: str, api_base_url: str, timeout_s: float, policy: outbound.OutboundPolicy
) -> Mastodon:
    """The instance is an address a member typed: Mastodon.py talks through a guarded session."""
    return Mastodon(
        access_token=access_token,
        api_base_url=api_base_url,
        ratelimit_method="throw",
        request_timeout=timeout_s,
        version_check_mode="none",
        session=outbound.requests_session(policy),
    )


def _status_of(exc: MastodonAPIError) -> int | None:
    for arg in exc.args[1:2]:
        if isinstance(arg, int):
            return arg
    return None


def call(api: Mastodon, fn: Callable[[], T], *, what: str) -> T:
    """Run one API call; Mastodon.py's errors leave as connector errors that never carry the token."""
    try:
        return fn()
    except MastodonUnauthorizedError:
        raise AuthExpired(
            f"{what}: the access token was refused (401); reconnect the account", network=NETWORK, status=401
        ) from None
    except MastodonRatelimitError:
        reset = getattr(api, "ratelimit_reset", None)
        wait = max(float(reset) - time.time(), 1.0) if reset else 300.0
        raise RateLimited(f"{what}: rate limit reached", retry_after=wait, network=NETWORK) from None
    except MastodonServerError as exc:
        status = _status_of(exc)
        raise UpstreamError(f"{what}: server error {status}", network=NETWORK, status=status) from None
    except MastodonNetworkError as exc:
        raise UpstreamError(f"{what}: network failure ({type(exc).__name__})", network=NETWORK) from None
    except MastodonNotFoundError:
        raise ConnectorError(f"{what}: not found (404)", network=NETWORK, status=404) from None
    except MastodonAPIError as exc:
        message = str(exc.args[0]) if exc.args else ""
        if "Could not parse response as JSON" in message:
            raise MalformedResponse(f"{what}: the server's answer is not JSON", network=NETWORK) from None
        status = _status_of(exc)
        if status == 403:
            raise NotPermitted(
                f"{what}: forbidden (403); check the token's scopes", network=NETWORK, status=403
            ) from None
        if status == 429:
            raise RateLimited(f"{what}: rate limit reached", network=NETWORK) from None
        detail = exc.args[3] if len(exc.args) > 3 and exc.args[3] else status
        raise ConnectorError(f"{what}: refused ({detail})", network=NETWORK, status=status) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise MalformedResponse(
            f"{what}: unexpected answer ({type(exc).__name__})", network=NETWORK
        ) from None
