"""Each domain's declarations (see `tending.discovery`) have the shape the product relies on."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi import APIRouter

from tending.discovery import PACKAGE_DIR, Declaration, declaring_modules, import_declarations


def test_no_declaration_hides_below_a_domain() -> None:
    """Discovery looks one level deep; a `views.py` in a sub-package would be silently ignored."""
    names = {f"{kind.value}.py" for kind in Declaration}
    nested = [
        str(path.relative_to(PACKAGE_DIR)) for path in PACKAGE_DIR.glob("*/*/**/*.py") if path.name in names
    ]
    assert nested == []


@pytest.mark.parametrize("kind", [Declaration.views, Declaration.pages])
def test_routers(kind: Declaration) -> None:
    modules = import_declarations(kind)
    assert modules
    for module in modules:
        assert isinstance(getattr(module, "router", None), APIRouter), module.__name__


def test_navigation_entries() -> None:
    for module in import_declarations(Declaration.pages):
        for entry in getattr(module, "NAV", []):
            order, key, label, path = entry
            assert isinstance(order, int) and key and label, module.__name__
            assert path.startswith("/"), module.__name__


def test_commands_and_hooks_are_callables() -> None:
    for module in import_declarations(Declaration.commands):
        assert callable(getattr(module, "register", None)), module.__name__
    hooks = import_declarations(Declaration.hooks)
    assert hooks
    for module in hooks:
        assert callable(getattr(module, "on_new_messages", None)), module.__name__


def test_commands_modules_import_only_typer_and_the_standard_library_at_top_level() -> None:
    """A command imports its domain when it runs; only light, declared modules are allowed up front."""
    allowed = {
        "typer",
        "orjson",
        "__future__",
        "tending.report.cli",
        "tending.auth.roles",
        "tending.campaign.states",
        "tending.audience.verdict",
    }
    for name in declaring_modules(Declaration.commands):
        path = PACKAGE_DIR / Path(*name.split(".")[1:]).with_suffix(".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                root = node.module
            elif isinstance(node, ast.Import):
                root = node.names[0].name
            else:
                continue
            if root in allowed or root.split(".")[0] in allowed:
                continue
            assert not root.startswith("tending") and root.split(".")[0] in _stdlib(), f"{name}: {root}"


def _stdlib() -> frozenset[str]:
    import sys

    return frozenset(sys.stdlib_module_names)


def test_import_format_names_match_the_readers() -> None:
    from tending.ingest.commands import FORMAT_NAMES
    from tending.ingest.formats import readers

    assert tuple(sorted(readers())) == FORMAT_NAMES
