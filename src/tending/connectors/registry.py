"""Connectors are discovered through the `tending.connectors` entry-point group."""

from __future__ import annotations

from importlib.metadata import entry_points

from tending.config import Settings
from tending.connectors.bases import Connector

GROUP = "tending.connectors"


class UnknownNetwork(LookupError):
    pass


def available() -> dict[str, type[Connector]]:
    """Every installed connector class by its network slug."""
    found: dict[str, type[Connector]] = {}
    for ep in entry_points(group=GROUP):
        cls = ep.load()
        found[ep.name] = cls
    return found


def offered(settings: Settings) -> dict[str, type[Connector]]:
    """The connectors this install lets people use: test and demo ones only where `demo_connectors` is set."""
    return {name: cls for name, cls in available().items() if settings.demo_connectors or not cls.demo_only}


def get_connector_class(network: str, *, settings: Settings | None = None) -> type[Connector]:
    """The class of `network`; with `settings`, only among those offered (creating a channel). Building
    the connector of an existing channel looks among all: a disabled one then refuses every call."""
    found = available() if settings is None else offered(settings)
    try:
        return found[network]
    except KeyError:
        known = ", ".join(sorted(found)) or "none"
        raise UnknownNetwork(f"no connector for network {network!r} (installed: {known})") from None
