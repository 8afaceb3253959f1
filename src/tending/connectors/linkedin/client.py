"""LinkedIn's versioned REST API over httpx: Rest.li 2.0 headers, URN encoding, errors as connector errors.

URNs inside paths and query values are percent-encoded (Rest.li 2.0 requires it), while Rest.li's own
structure characters — `List(...)`, `(key:value)` — stay literal, so query strings are built here rather
than by httpx. The token travels only in the `Authorization` header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from tending.connectors import http as outbound
from tending.connectors import httpkit
from tending.connectors.bases import (
    ApiVersionRefused,
    AuthExpired,
    ConnectorError,
    MalformedResponse,
)

NETWORK = "linkedin"
# What LinkedIn answers for a retired or unknown `LinkedIn-Version` (with HTTP 426 or 400).
_VERSION_CODES = frozenset({"NONEXISTENT_VERSION", "VERSION_MISSING"})


def enc(value: str) -> str:
    """A URN (or any value) percent-encoded for a Rest.li 2.0 path segment or query value."""
    return quote(value, safe="")


def restli_list(values: list[str]) -> str:
    return f"List({','.join(values)})"


def _seconds_to_utc_midnight() -> float:
    """LinkedIn's application and member limits are daily and reset at midnight UTC."""
    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max((midnight - now).total_seconds(), 60.0)


@dataclass(frozen=True, slots=True)
class Answer:
    body: dict[str, Any]
    headers: httpx.Headers


class LinkedInClient:
    def __init__(
        self,
        *,
        access_token: str,
        api_version: str,
        base_url: str,
        version_setting: str = "TENDING_LINKEDIN_API_VERSION",
        timeout_s: float = 30.0,
        http: httpx.Client | None = None,
        policy: outbound.OutboundPolicy = outbound.STRICT,
        renew: Callable[[], str] | None = None,
    ) -> None:
        """`renew` returns a new access token; it is asked once, after the first 401."""
        self._token = access_token
        self._renew = renew
        self._version = api_version
        self._version_setting = version_setting
        self._root = base_url.rstrip("/")
        self._owns_http = http is None
        self._http = http or outbound.client(policy, timeout=httpx.Timeout(timeout_s, connect=10.0))

    def __repr__(self) -> str:
        return f"<LinkedInClient {self._root} version={self._version}>"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def get(self, path: str, *, query: str = "", what: str) -> dict[str, Any]:
        return self._send("GET", path, query=query, body=None, what=what).body

    def post(self, path: str, *, body: dict[str, Any], what: str) -> Answer:
        return self._send("POST", path, query="", body=body, what=what)

    def upload(self, url: str, *, data: bytes, what: str) -> None:
        """PUT bytes to an upload URL LinkedIn handed out (images), with the same token and errors."""
        if not url.startswith("https://"):
            raise MalformedResponse(f"{what}: the upload URL is not https", network=NETWORK)
        try:
            response = self._http.put(url, headers={"Authorization": f"Bearer {self._token}"}, content=data)
        except httpx.TransportError:
            raise httpkit.unreachable(network=NETWORK, what=what) from None
        self._read(response, what=what)

    def _send(self, method: str, path: str, *, query: str, body: dict[str, Any] | None, what: str) -> Answer:
        if not self._token:
            raise AuthExpired(f"{what}: no access token; connect the page", network=NETWORK)
        url = f"{self._root}/{path.lstrip('/')}" + (f"?{query}" if query else "")
        response = self._request(method, url, body=body, what=what)
        if response.status_code == 401 and self._renew is not None:
            renew, self._renew = self._renew, None
            self._token = renew()
            response = self._request(method, url, body=body, what=what)
        return Answer(self._read(response, what=what), response.headers)

    def _request(self, method: str, url: str, *, body: dict[str, Any] | None, what: str) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "LinkedIn-Version": self._version,
            "X-Restli-Protocol-Version": "2.0.0",
            "Accept": "application/json",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            return self._http.request(
                method, url, headers=headers, content=orjson.dumps(body) if body is not None else None
            )
        except httpx.TransportError:  # one message: it must not tell a closed port from a refused address
            raise httpkit.unreachable(network=NETWORK, what=what) from None

    def _read(self, response: httpx.Response, *, what: str) -> dict[str, Any]:
        status = response.status_code
        parsed = httpkit.parse_json(response.content, network=NETWORK, what=what, status=status)
        if status >= 300:
            raise self._error(status, parsed if isinstance(parsed, dict) else {}, response.headers, what=what)
        if parsed is None:
            return {}  # a 201 Created carries its id in a header
        if not isinstance(parsed, dict):
            raise MalformedResponse(f"{what}: expected a JSON object", network=NETWORK, status=status)
        return parsed

    def _error(
        self, status: int, error: dict[str, Any], headers: httpx.Headers, *, what: str
    ) -> ConnectorError:
        code = str(error.get("code") or error.get("serviceErrorCode") or f"HTTP {status}")
        message = str(error.get("message") or "").replace(self._token, "***")[:300]
        detail = f"{what}: {message or 'refused'} ({code})"
        if status == 426 or code in _VERSION_CODES:
            return ApiVersionRefused(
                f"{detail}; LinkedIn no longer serves LinkedIn-Version {self._version}: set "
                f"{self._version_setting} to a live version (YYYYMM, see LinkedIn's versioning page)",
                setting=self._version_setting,
                network=NETWORK,
                status=status,
            )
        return httpkit.error_for_status(
            status,
            network=NETWORK,
            detail=detail,
            wait=lambda: httpkit.rate_limit_wait(headers, default=_seconds_to_utc_midnight()),
            auth_hint="reconnect the page",
            permission_hint="check the token's scopes and page role",
        )


def elements(page: dict[str, Any], *, what: str) -> list[dict[str, Any]]:
    found = page.get("elements")
    if not isinstance(found, list) or not all(isinstance(e, dict) for e in found):
        raise MalformedResponse(f"{what}: expected an `elements` list of objects", network=NETWORK)
    return found
