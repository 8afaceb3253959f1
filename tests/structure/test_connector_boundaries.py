"""Connectors are plugins: each one's package imports the shared plumbing (`bases`, `http`, `httpkit`,
`text`, the Graph API base) and never another connector's modules, so one network can change, or be
removed, without breaking another."""

from __future__ import annotations

import ast
from importlib.metadata import entry_points
from pathlib import Path

from tending.connectors.registry import GROUP

CONNECTORS_DIR = Path(__file__).resolve().parents[2] / "src" / "tending" / "connectors"


def _connector_packages() -> set[str]:
    """The package (`tending.connectors.<name>`) of every registered connector."""
    packages = set()
    for ep in entry_points(group=GROUP):
        parts = ep.value.split(":")[0].split(".")
        if parts[:2] == ["tending", "connectors"] and len(parts) > 3:
            packages.add(parts[2])
    return packages


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_every_registered_connector_lives_in_its_own_package() -> None:
    packages = _connector_packages()
    assert {
        "rss",
        "mastodon",
        "bluesky",
        "reddit",
        "facebook",
        "instagram",
        "youtube",
        "x",
        "linkedin",
    } <= packages


def test_no_connector_imports_another_connectors_modules() -> None:
    packages = _connector_packages()
    crossings = []
    for package in sorted(packages):
        for path in sorted((CONNECTORS_DIR / package).rglob("*.py")):
            for module in sorted(_imported_modules(path)):
                parts = module.split(".")
                if parts[:2] == ["tending", "connectors"] and len(parts) > 2:
                    other = parts[2]
                    if other in packages and other != package:
                        crossings.append(f"{path.relative_to(CONNECTORS_DIR)} imports {module}")
    assert crossings == []


def test_the_rule_would_catch_a_crossing(tmp_path: Path) -> None:
    """The import reader sees both import forms (the test above must be able to fail)."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from tending.connectors.rss.client import FeedClient\nimport tending.connectors.reddit.client\n"
    )
    assert {"tending.connectors.rss.client", "tending.connectors.reddit.client"} <= _imported_modules(sample)
