"""The outbound guard every connector and webhook sender goes through (`tending.connectors.http`):
non-public addresses refused with one message, the checked address pinned, redirects checked again,
and the allow-list for an install's own private servers."""

from __future__ import annotations

import socket
from ipaddress import ip_address
from typing import Any

import pytest
import requests
from pydantic import ValidationError
from tests.local_http import free_port, serving

from tending.connectors import http as outbound
from tending.connectors.bases import ConnectorContext, UpstreamError
from tending.connectors.bluesky.config import BlueskyConfig
from tending.connectors.graph.config import GraphConfig
from tending.connectors.mastodon import MastodonConnector
from tending.connectors.rss import RssConnector
from tending.connectors.rss.client import FeedClient

BLOCKED_HOSTS = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.1",
    "100.64.0.1",
    "0.0.0.0",
    "169.254.169.254",
    "224.0.0.1",
    "[::1]",
    "[fd00:ec2::254]",
    "[fe80::1]",
    "[::ffff:127.0.0.1]",
]


def _fetch_error(url: str, policy: outbound.OutboundPolicy = outbound.STRICT) -> str:
    """The error a feed fetch of `url` ends with, the URL itself taken out."""
    feeds = FeedClient(timeout_s=3, user_agent="test", policy=policy)
    try:
        with pytest.raises(UpstreamError) as info:
            feeds.get(url)
    finally:
        feeds.close()
    return str(info.value).replace(url, "<url>")


def _resolve_to(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> list[str]:
    """Play the DNS server for `names`; returns the log of names looked up."""
    real = outbound.resolve
    asked: list[str] = []

    def fake(host: str, port: int) -> list[str]:
        asked.append(host)
        return names[host] if host in names else real(host, port)

    monkeypatch.setattr(outbound, "resolve", fake)
    return asked


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("fd00:ec2::254", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::1", False),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 around 169.254.169.254
        ("64:ff9b::808:808", True),
        ("255.255.255.255", False),
        ("ff02::1", False),
    ],
)
def test_public_means_globally_routed_unicast(address: str, public: bool) -> None:
    assert outbound.is_public(ip_address(address)) is public


def test_every_non_public_address_fails_with_one_message_open_port_or_not() -> None:
    with serving("127.0.0.1") as server:
        messages = {_fetch_error(f"http://{host}:{server.port}/feed") for host in BLOCKED_HOSTS}
        messages.add(_fetch_error(f"http://127.0.0.1:{free_port()}/feed"))  # a closed port reads the same
        assert server.paths == []
    assert messages == {f"rss: <url>: {outbound.UNREACHABLE}"}


def test_a_name_resolving_to_loopback_is_refused_and_so_is_one_bad_address_among_good(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resolve_to(
        monkeypatch,
        {"blog.internal.example": ["127.0.0.1"], "mixed.example": ["93.184.216.34", "127.0.0.1"]},
    )
    with serving("127.0.0.1") as server:
        first = _fetch_error(server.url(host="blog.internal.example"))
        second = _fetch_error(server.url(host="mixed.example"))
        assert server.paths == []
    assert first == second == f"rss: <url>: {outbound.UNREACHABLE}"


def test_a_redirect_from_an_allowed_host_to_loopback_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolve_to(monkeypatch, {"feeds.allowed.example": ["127.0.0.1"]})
    policy = outbound.OutboundPolicy.from_entries(["feeds.allowed.example"])
    with serving("127.0.0.1") as server:
        target = server.url("/feed")
        url = server.url(f"/redirect?to={target}", host="feeds.allowed.example")
        assert _fetch_error(url, policy) == f"rss: <url>: {outbound.UNREACHABLE}"
        assert server.paths == [f"GET /redirect?to={target}"]  # the allowed hop was served, not the next


def test_the_allow_list_lets_listed_private_hosts_and_networks_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resolve_to(monkeypatch, {"blog.corp.example": ["127.0.0.1"]})
    with serving("127.0.0.1") as server:
        for entries, url in [
            (["127.0.0.0/8"], server.url()),
            (["*.corp.example"], server.url(host="blog.corp.example")),
        ]:
            feeds = FeedClient(
                timeout_s=3, user_agent="test", policy=outbound.OutboundPolicy.from_entries(entries)
            )
            assert b"secret post" in feeds.get(url).content
            feeds.close()
        assert len(server.paths) == 2


def test_the_checked_address_is_the_one_connected_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the first answer (allowed) is used for the connection; a second lookup, which
    would answer loopback, never happens."""
    try:
        allowed_ctx = serving("127.0.0.2")
        allowed = allowed_ctx.__enter__()
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    answers = iter([["127.0.0.2"]])
    lookups: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            lookups.append(host)
            address = next(answers, ["127.0.0.1"])[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        with serving("127.0.0.1", allowed.port) as secret:
            policy = outbound.OutboundPolicy.from_entries(["127.0.0.2/32"])
            feeds = FeedClient(timeout_s=3, user_agent="test", policy=policy)
            assert feeds.get(f"http://rebind.example:{allowed.port}/feed").status == 200
            feeds.close()
            assert secret.paths == [] and allowed.paths == ["GET /feed"]
    finally:
        allowed_ctx.__exit__(None, None, None)
    assert lookups == ["rebind.example"]


def test_requests_sessions_for_sdks_are_guarded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolve_to(monkeypatch, {"social.internal.example": ["127.0.0.1"]})
    with serving("127.0.0.1") as server:
        with pytest.raises(requests.ConnectionError, match="may call"):
            outbound.requests_session(outbound.STRICT).get(
                server.url(host="social.internal.example"), timeout=3
            )
        mastodon = MastodonConnector(
            config={"api_base_url": server.url("", host="social.internal.example")},
            credentials={"access_token": "t"},
        )
        with pytest.raises(UpstreamError):
            mastodon.fetch_since({})
        assert server.paths == []
        allowed = outbound.requests_session(outbound.OutboundPolicy.from_entries(["social.internal.example"]))
        assert allowed.get(server.url(host="social.internal.example"), timeout=3).status_code == 200


@pytest.mark.parametrize(
    ("model", "field", "url"),
    [
        (RssConnector.config_model, "feed_url", "http://169.254.169.254/latest/meta-data/"),
        (RssConnector.config_model, "feed_url", "http://localhost:8101/feed"),
        (RssConnector.config_model, "feed_url", "file:///etc/passwd"),
        (MastodonConnector.config_model, "api_base_url", "http://10.0.0.5"),
        (GraphConfig, "base_url", "http://[::1]:9000"),
        (BlueskyConfig, "service_url", "http://127.0.0.1:2583"),
    ],
)
def test_connector_settings_naming_a_local_address_are_refused_unless_allowed(
    model: Any, field: str, url: str
) -> None:
    with pytest.raises(ValidationError, match=r"this address|URL scheme"):
        model.model_validate({field: url})
    if url.startswith("http"):
        allow_all = ConnectorContext(
            outbound=outbound.OutboundPolicy.from_entries(["0.0.0.0/0", "::/0", "localhost"])
        )
        model.model_validate({field: url}, context=allow_all.validation())
