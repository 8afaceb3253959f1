"""The atproto SDK client, logged in lazily, and the mapping of XRPC failures to connector errors.

Reads go through `invoke_query` so the connector keeps the network's JSON exactly as sent (the typed
models drop unknown fields); writes use the SDK's `send_post`, which builds the record and reply refs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from atproto import Client, Session, SessionEvent
from atproto_client import exceptions as xrpc
from atproto_client.request import Request
from pydantic import ValidationError

from tending.connectors import http as outbound
from tending.connectors import httpkit
from tending.connectors.bases import (
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)

NETWORK = "bluesky"
T = TypeVar("T")
_AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"})


def _error_name(exc: xrpc.RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    name = getattr(content, "error", None)
    if name is None and isinstance(content, dict):
        name = content.get("error")
    return str(name or "")


def _retry_after(exc: xrpc.RequestErrorBase) -> float:
    """Retry-After, else the `ratelimit-reset` epoch Bluesky's PDS sends, else five minutes."""
    headers = exc.response.headers if exc.response is not None else None
    return httpkit.rate_limit_wait(headers, default=300.0, epoch_headers=("ratelimit-reset",))


def call(fn: Callable[[], T], *, what: str) -> T:
    """Run one XRPC call; errors leave as connector errors that never carry the session tokens."""
    try:
        return fn()
    except xrpc.UnauthorizedError as exc:
        status = exc.response.status_code if exc.response is not None else 401
        if status == 403:
            raise NotPermitted(f"{what}: forbidden (403)", network=NETWORK, status=403) from None
        raise AuthExpired(
            f"{what}: the session or app password was refused ({_error_name(exc) or status}); "
            "reconnect the account",
            network=NETWORK,
            status=status,
        ) from None
    except xrpc.RateLimitExceededError as exc:
        raise RateLimited(
            f"{what}: rate limit reached", retry_after=_retry_after(exc), network=NETWORK
        ) from None
    except xrpc.BadRequestError as exc:
        name = _error_name(exc)
        if name in _AUTH_ERRORS:
            raise AuthExpired(f"{what}: {name}; reconnect the account", network=NETWORK, status=400) from None
        raise ConnectorError(f"{what}: refused ({name or 400})", network=NETWORK, status=400) from None
    except xrpc.NetworkError as exc:
        status = exc.response.status_code if exc.response is not None else None
        raise UpstreamError(
            f"{what}: network failure ({status or type(exc).__name__})", network=NETWORK, status=status
        ) from None
    except xrpc.RequestException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status is None:
            raise ConnectorError(f"{what}: refused ({_error_name(exc)})", network=NETWORK) from None
        raise httpkit.error_for_status(
            status,
            network=NETWORK,
            detail=f"{what}: refused ({_error_name(exc) or status})",
            wait=partial(_retry_after, exc),
        ) from None
    except (xrpc.ModelError, ValidationError, ValueError, KeyError, TypeError) as exc:
        raise MalformedResponse(
            f"{what}: unreadable answer ({type(exc).__name__})", network=NETWORK
        ) from None


def json_content(response: Any, *, what: str) -> dict[str, Any]:
    """The JSON object of an XRPC answer; anything else (HTML, bytes, a list) is malformed."""
    content = getattr(response, "content", None)
    if not isinstance(content, dict):
        raise MalformedResponse(f"{what}: the answer is not a JSON object", network=NETWORK)
    return content


def login(
    *,
    service_url: str,
    credentials: dict[str, str],
    policy: outbound.OutboundPolicy,
    on_session: Callable[[str], None] | None = None,
) -> tuple[Client, str]:
    """A logged-in client and the account's DID. A stored `session_string` is reused (no call at all
    while its access token lives; one refreshSession when it has expired); the app password logs in
    with createSession, which Bluesky limits (30 per 5 minutes, 300 a day per account), only when
    there is no session or Bluesky refused it. `on_session` receives the session string each time the
    SDK creates or refreshes the session (`tending.connectors.bluesky.session` stores it).

    The SDK's httpx client runs on the guarded transport, so the PDS the SDK switches to after login
    (named by the account's DID document) is checked like the service URL a member typed."""
    request = Request(transport=outbound.GuardedTransport(policy), trust_env=False)
    client = Client(base_url=service_url.rstrip("/") + "/xrpc", request=request)
    if on_session is not None:
        client.on_session_change(lambda event, session: _changed(event, session, on_session))
    handle, password = credentials.get("handle", ""), credentials.get("app_password", "")
    session_string = credentials.get("session_string")
    if session_string:
        try:
            call(
                lambda: client.login(session_string=session_string, fetch_bsky_profile=False), what="session"
            )
            # The SDK's own checks, run now so a refused refresh can fall back to the app password.
            if client._should_refresh_session():
                call(client._refresh_and_set_session, what="refreshSession")
        except AuthExpired:
            if not (handle and password):
                raise
            session_string = None
    if not session_string:
        if not handle or not password:
            raise AuthExpired("credentials need a handle and an app password", network=NETWORK)
        call(lambda: client.login(handle, password, fetch_bsky_profile=False), what="login")
    session = client._session  # the SDK keeps the DID only there when the profile is not fetched
    if session is None:
        raise AuthExpired("login gave no session", network=NETWORK)
    return client, str(session.did)


def _changed(event: SessionEvent, session: Session, on_session: Callable[[str], None]) -> None:
    if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
        on_session(session.export())
