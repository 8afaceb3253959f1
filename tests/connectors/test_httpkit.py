"""The shared HTTP toolkit: Retry-After in both forms, reset headers, backoff and status mapping."""

from __future__ import annotations

import httpx
import pytest

from tending.connectors import httpkit
from tending.connectors.bases import (
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)

NOW = 1_790_000_000.0  # a fixed "now" so HTTP-dates give exact delays


def test_retry_after_delay_seconds() -> None:
    assert httpkit.retry_after_seconds("120") == 120.0
    assert httpkit.retry_after_seconds(" 0 ") == 0.0


def test_retry_after_http_date() -> None:
    date = "Tue, 22 Sep 2026 13:35:00 GMT"  # RFC 9110's IMF-fixdate form
    stamp = httpkit.retry_after_seconds(date, now=0.0)
    assert stamp is not None
    assert httpkit.retry_after_seconds(date, now=stamp - 90.0) == pytest.approx(90.0)
    assert httpkit.retry_after_seconds(date, now=stamp + 10.0) == 0.0  # a date in the past: go now


@pytest.mark.parametrize("value", [None, "", "soon", "Sun, 99 Foo 2026"])
def test_retry_after_unreadable(value: str | None) -> None:
    assert httpkit.retry_after_seconds(value) is None


def test_rate_limit_wait_prefers_retry_after_then_reset_headers() -> None:
    headers = httpx.Headers({"Retry-After": "30", "x-rate-limit-reset": str(int(NOW + 600))})
    assert httpkit.rate_limit_wait(headers, default=900, epoch_headers=("x-rate-limit-reset",), now=NOW) == 30
    reset_only = {"X-Rate-Limit-Reset": str(int(NOW + 600))}
    wait = httpkit.rate_limit_wait(reset_only, default=900, epoch_headers=("x-rate-limit-reset",), now=NOW)
    assert wait == 600
    assert httpkit.rate_limit_wait({}, default=900) == 900
    assert (
        httpkit.rate_limit_wait({"x-ratelimit-reset": "42"}, default=60, delta_headers=("x-ratelimit-reset",))
        == 42
    )
    assert httpkit.rate_limit_wait({"retry-after": "0"}, default=60) == httpkit.MIN_WAIT_S


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [httpkit.backoff_s(n, base=60, cap=300) for n in (1, 2, 3, 4)] == [60, 120, 240, 300]
    for _ in range(20):
        assert 30 <= httpkit.backoff_s(1, base=60, jitter=0.5) <= 60


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, AuthExpired),
        (403, NotPermitted),
        (429, RateLimited),
        (500, UpstreamError),
        (503, UpstreamError),
        (400, ConnectorError),
    ],
)
def test_error_for_status(status: int, kind: type[ConnectorError]) -> None:
    error = httpkit.error_for_status(
        status, network="demo", detail="read: refused", headers={"Retry-After": "7"}
    )
    assert type(error) is kind and error.status == status and error.network == "demo"
    if isinstance(error, RateLimited):
        assert error.retry_after == 7
    assert error.retryable is (status in (429, 500, 503))


def test_bad_json_is_malformed_on_success_only() -> None:
    with pytest.raises(MalformedResponse):
        httpkit.parse_json(b"<html>", network="demo", what="read", status=200)
    assert httpkit.parse_json(b"<html>", network="demo", what="read", status=502) is None
    assert httpkit.parse_json(b'{"a": 1}', network="demo", what="read", status=200) == {"a": 1}
    with pytest.raises(MalformedResponse):
        httpkit.json_object([1], network="demo", what="read")
