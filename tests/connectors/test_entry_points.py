"""The connectors declared in pyproject load, carry their slug and offer the capabilities they claim."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import pytest

from tending.connectors.bases import (
    Connector,
    ListenCapability,
    MetricsCapability,
    PublishCapability,
    ReplyCapability,
)

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
DECLARED = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"]["tending.connectors"]
EXPECTED = {
    "rss": {ListenCapability},
    "mastodon": {ListenCapability, ReplyCapability, PublishCapability, MetricsCapability},
    "bluesky": {ListenCapability, ReplyCapability, PublishCapability, MetricsCapability},
    "reddit": {ListenCapability, ReplyCapability, PublishCapability, MetricsCapability},
    "facebook": {ListenCapability, ReplyCapability, PublishCapability, MetricsCapability},
    "instagram": {ListenCapability, ReplyCapability, PublishCapability, MetricsCapability},
    "youtube": {ListenCapability, ReplyCapability, MetricsCapability},
    "x": {ListenCapability, ReplyCapability, PublishCapability, MetricsCapability},
    "linkedin": {ListenCapability, ReplyCapability, PublishCapability, MetricsCapability},
}
ALL = {ListenCapability, ReplyCapability, PublishCapability, MetricsCapability}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_declared_connector_loads_with_its_capabilities(name: str) -> None:
    module_name, _, attr = DECLARED[name].partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    assert issubclass(cls, Connector) and cls.slug == name
    assert {cap for cap in ALL if issubclass(cls, cap)} == EXPECTED[name]
    assert cls.config_model is not Connector.config_model
