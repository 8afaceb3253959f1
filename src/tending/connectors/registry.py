"""Connectors are discovered through the `tending.connectors` entry-point group."""

from __future__ import annotations

from importlib.metadata import entry_points

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


def get_connector_class(network: str) -> type[Connector]:
    try:
        return available()[network]
    except KeyError:
        known = ", ".join(sorted(available())) or "none"
        raise UnknownNetwork(f"no connector for network {network!r} (installed: {known})") from None
