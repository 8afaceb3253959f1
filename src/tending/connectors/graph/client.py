"""A small Graph API client over httpx shared by the Facebook and Instagram connectors.

The token travels in the `Authorization` header, never in a URL, so no URL we log, raise or store can
carry it; for the same reason paging uses `paging.cursors.after` and never stores `paging.next` (Graph
writes the token into those links). Every failure leaves as a connector error: Graph's error object
(`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`) is read for its code.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx
import orjson

from tending.connectors import http as outbound
from tending.connectors import httpkit
from tending.connectors.bases import (
    ApiVersionRefused,
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)
from tending.connectors.bases.messages import MessagingWindowClosed

DEFAULT_BASE_URL = "https://graph.facebook.com"
_AUTH_CODES = frozenset({102, 190})
_RATE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
_PERMISSION_CODES = frozenset({3, 10, 368, *range(200, 300)})
_TRANSIENT_CODES = frozenset({1, 2})
# Meta forwards calls of an expired version to the oldest live one, but refuses some with 2635
# ("You are calling a deprecated version of the ... API").
_VERSION_CODES = frozenset({2635})
# Send API refusals because the messaging window closed (Messenger, Instagram): not a permissions problem.
_WINDOW_SUBCODES = frozenset({2018278, 2534022})
_DEFAULT_WAIT_S = 300.0


def _business_usage_wait(headers: httpx.Headers) -> float | None:
    """Minutes Graph says remain before calls are accepted again (`X-Business-Use-Case-Usage`)."""
    raw = headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    minutes = [
        float(entry.get("estimated_time_to_regain_access") or 0)
        for entries in (usage.values() if isinstance(usage, dict) else [])
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    best = max(minutes, default=0.0)
    return best * 60.0 if best > 0 else None


def retry_after(headers: httpx.Headers) -> float:
    """Retry-After (either form) first, then Graph's business-use-case estimate, else five minutes."""
    return httpkit.rate_limit_wait(headers, default=_business_usage_wait(headers) or _DEFAULT_WAIT_S)


class GraphClient:
    """GET/POST against one Graph API version; answers are JSON objects or a connector error."""

    def __init__(
        self,
        *,
        network: str,
        access_token: str,
        api_version: str,
        base_url: str = DEFAULT_BASE_URL,
        version_setting: str = "TENDING_GRAPH_API_VERSION",
        app_secret: str | None = None,
        timeout_s: float = 30.0,
        http: httpx.Client | None = None,
        policy: outbound.OutboundPolicy = outbound.STRICT,
    ) -> None:
        self.network = network
        self._token = access_token
        self._proof = (
            hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
            if app_secret
            else None
        )
        self._version = api_version.strip("/")
        self._version_setting = version_setting
        self._root = f"{base_url.rstrip('/')}/{self._version}"
        self._owns_http = http is None
        self._http = http or outbound.client(policy, timeout=httpx.Timeout(timeout_s, connect=10.0))

    def __repr__(self) -> str:
        return f"<GraphClient {self._root}>"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def url(self, path: str) -> str:
        return f"{self._root}/{path.lstrip('/')}"

    def get(self, path: str, *, params: dict[str, Any] | None = None, what: str) -> dict[str, Any]:
        return self._send("GET", path, params=params, data=None, json_body=None, what=what)

    def post(
        self,
        path: str,
        *,
        data: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
        what: str,
    ) -> dict[str, Any]:
        """POST form fields (`data`) or, for the Send API, a JSON document (`json_body`)."""
        return self._send("POST", path, params=None, data=data, json_body=json_body, what=what)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        data: dict[str, Any] | None,
        json_body: dict[str, Any] | None,
        what: str,
    ) -> dict[str, Any]:
        if not self._token:
            raise AuthExpired(f"{what}: no access token; connect the account", network=self.network)
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if self._proof:
            query["appsecret_proof"] = self._proof
        try:
            response = self._http.request(
                method,
                self.url(path),
                params=query or None,
                data={k: str(v) for k, v in data.items() if v is not None} if data else None,
                json=json_body,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            )
        except httpx.TransportError:  # one message: it must not tell a closed port from a refused address
            raise httpkit.unreachable(network=self.network, what=what) from None
        return self._read(response, what=what)

    def _read(self, response: httpx.Response, *, what: str) -> dict[str, Any]:
        status = response.status_code
        body = httpkit.parse_json(response.content, network=self.network, what=what, status=status)
        error = body.get("error") if isinstance(body, dict) else None
        if status >= 300 or error is not None:
            raise self._error(status, error if isinstance(error, dict) else {}, response.headers, what=what)
        if not isinstance(body, dict):
            raise MalformedResponse(f"{what}: expected a JSON object", network=self.network, status=status)
        return body

    def _error(
        self, status: int, error: dict[str, Any], headers: httpx.Headers, *, what: str
    ) -> ConnectorError:
        code = error.get("code") if isinstance(error.get("code"), int) else None
        subcode = error.get("error_subcode")
        message = str(error.get("message") or "").replace(self._token, "***") if self._token else ""
        label = f"code {code}" + (f"/{subcode}" if subcode else "") if code is not None else f"HTTP {status}"
        detail = f"{what}: {message or 'refused'} ({label})"
        net = self.network
        if code in _VERSION_CODES:
            return ApiVersionRefused(
                f"{detail}; Graph API {self._version} is not served: set {self._version_setting} to a live "
                "version (Meta lists them in the Graph API changelog)",
                setting=self._version_setting,
                network=net,
                status=status,
            )
        if code in _AUTH_CODES:
            return AuthExpired(f"{detail}; reconnect the account", network=net, status=status)
        if code in _RATE_CODES:
            return RateLimited(detail, retry_after=retry_after(headers), network=net, status=status)
        if subcode in _WINDOW_SUBCODES:
            return MessagingWindowClosed(
                f"{detail}; outside the messaging window", network=net, status=status
            )
        if code in _PERMISSION_CODES:
            return NotPermitted(f"{detail}; check the token's permissions", network=net, status=status)
        if code in _TRANSIENT_CODES or error.get("is_transient") is True:
            return UpstreamError(detail, network=net, status=status)
        return httpkit.error_for_status(
            status, network=net, detail=detail, headers=headers, wait=lambda: retry_after(headers)
        )


def next_after(page: dict[str, Any]) -> str | None:
    """The cursor of the next page, only when Graph says there is one (`paging.next` present)."""
    paging = page.get("paging")
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return str(after) if after else None


def data_list(page: Any, *, what: str, network: str) -> list[dict[str, Any]]:
    """The `data` array of a Graph edge; anything else is a malformed answer."""
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
        raise MalformedResponse(f"{what}: expected a `data` list of objects", network=network)
    return data
