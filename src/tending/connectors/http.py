"""Outbound HTTP to addresses that users typed: feeds, connector APIs, alert and chat webhooks.

Members choose feed URLs, instance URLs and webhook targets, so the server must not become their way
into its own network (server-side request forgery). Every connection opened through this module
resolves the host, refuses it unless *every* address is public (or on the `outbound_allow` list), and
connects to the very address it checked, so a second DNS answer cannot switch it (rebinding); each
redirect hop opens its own connection and is checked again. A refusal reads exactly like a connection
that failed (`UNREACHABLE`), so no error tells an open port from a closed one or a blocked address from
a dead one. Environment proxies are ignored: a proxy would make the checked address the proxy's.

The guard sits below the HTTP libraries: an httpcore network backend for httpx (feeds, Graph,
LinkedIn, Bluesky's SDK, webhooks) and a urllib3 connection for requests (Mastodon.py). The shared
HTTP toolkit of connectors (Retry-After, backoff, error mapping) is `tending.connectors.httpkit`.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
import requests
from pydantic import ValidationInfo
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection as urllib3_connection

from tending.config import Settings

log = logging.getLogger(__name__)

UNREACHABLE = "no answer: the server is unreachable, or its address is not one this server may call"
CONTEXT_KEY = "outbound"  # the key of the policy in a Pydantic validation context

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
_NAT64 = ip_network("64:ff9b::/96")


class DestinationRefused(OSError):
    """The host resolves to an address this server may not call, or does not resolve at all."""


def is_public(ip: Address) -> bool:
    """True for globally routed unicast addresses; IPv6 forms that embed an IPv4 address are judged by it."""
    if isinstance(ip, IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def _norm_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Which non-public destinations an install allows. The empty policy allows public addresses only."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = field(default_factory=tuple)

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> OutboundPolicy:
        """`10.0.0.0/8` or `192.168.1.20` are networks; `social.corp.example`, `*.corp.example` hosts."""
        hosts: set[str] = set()
        networks: list[Network] = []
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(_norm_host(entry))
        return cls(hosts=frozenset(hosts), networks=tuple(networks))

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboundPolicy:
        return cls.from_entries(settings.outbound_allow)

    def allows_host(self, host: str) -> bool:
        name = _norm_host(host)
        if name in self.hosts:
            return True
        return any(h.startswith("*.") and name.endswith(h[1:]) for h in self.hosts)

    def allows_address(self, ip: Address) -> bool:
        return is_public(ip) or any(ip.version == net.version and ip in net for net in self.networks)


STRICT = OutboundPolicy()


def resolve(host: str, port: int) -> list[str]:
    """Every address of `host` (one place, so tests can play the DNS server)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(host: str, port: int, policy: OutboundPolicy) -> list[str]:
    """The addresses to connect to, all of them allowed; otherwise DestinationRefused."""
    name = _norm_host(host)
    try:
        addresses = resolve(name, port)
    except (OSError, UnicodeError):
        raise DestinationRefused(UNREACHABLE) from None
    if not addresses:
        raise DestinationRefused(UNREACHABLE)
    if policy.allows_host(name):
        return addresses
    for address in addresses:
        try:
            ip = ip_address(address.split("%", 1)[0])
        except ValueError:
            ip = None
        if ip is None or not policy.allows_address(ip):
            log.warning(
                "outbound request to %s:%s refused: %s is not a public address "
                "(add the host or network to TENDING_OUTBOUND_ALLOW if it is yours)",
                name,
                port,
                address,
            )
            raise DestinationRefused(UNREACHABLE)
    return addresses


def url_problem(url: str, policy: OutboundPolicy = STRICT) -> str | None:
    """Why `url` can never be fetched, judged without DNS (a literal address, `localhost`, a scheme);
    None when it may be tried. Hosts that resolve to private addresses are refused when connecting."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if not host:
        return "has no host"
    if policy.allows_host(host):
        return None
    name = _norm_host(host)
    try:
        ip = ip_address(name.split("%", 1)[0])
    except ValueError:
        if name == "localhost" or name.endswith(".localhost"):
            return "points at this server itself"
        return None
    if not policy.allows_address(ip):
        return (
            "points at a private, loopback, link-local or reserved address, which this server does not call"
        )
    return None


def check_outbound_url(value: Any, info: ValidationInfo) -> Any:
    """Pydantic validator of connector URL fields; the policy comes from the validation context."""
    policy = (info.context or {}).get(CONTEXT_KEY) or STRICT
    problem = url_problem(str(value), policy)
    if problem:
        raise ValueError(f"this address {problem}")
    return value


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to checked addresses."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = checked_addresses(host, port, self._policy)
        except DestinationRefused:
            raise httpcore.ConnectError(UNREACHABLE) from None
        for address in addresses:
            try:
                return super().connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue
        raise httpcore.ConnectError(UNREACHABLE)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError(UNREACHABLE)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over the guarded backend (no proxies, no Unix sockets)."""

    def __init__(self, policy: OutboundPolicy) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)  # built once (loading CAs is the slow part)
        super().__init__(verify=ssl_context, trust_env=False)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(policy),
        )


def client(policy: OutboundPolicy, **kwargs: Any) -> httpx.Client:
    """An httpx client whose every connection, redirects included, is checked against `policy`."""
    kwargs.setdefault("max_redirects", 5)
    return httpx.Client(transport=GuardedTransport(policy), trust_env=False, **kwargs)


def _guarded_connection(base: type[HTTPConnection], policy: OutboundPolicy) -> type[HTTPConnection]:
    class GuardedConnection(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            try:
                addresses = checked_addresses(self._dns_host, self.port, policy)
            except DestinationRefused:
                raise NewConnectionError(self, UNREACHABLE) from None
            for address in addresses:
                try:
                    return urllib3_connection.create_connection(
                        (address, self.port),
                        self.timeout,
                        source_address=self.source_address,
                        socket_options=self.socket_options,
                    )
                except OSError:
                    continue
            raise NewConnectionError(self, UNREACHABLE)

    return GuardedConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose urllib3 pools open guarded connections (TLS still checks the name)."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        http_conn = _guarded_connection(HTTPConnection, self._policy)
        https_conn = _guarded_connection(HTTPSConnection, self._policy)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }


def requests_session(policy: OutboundPolicy) -> requests.Session:
    """A requests session for SDKs built on requests; every connection is checked against `policy`."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
