"""Where domains plug in. A domain is a folder `tending/<domain>/`; it joins the product by declaring,
in a module of a known name, what it adds:

- `commands.py`: `register(app: typer.Typer)` adds CLI commands. Kept light at import (typer and the
  standard library only): a command imports its domain when it runs, so `tending --help` stays instant.
- `views.py`: `router`, the domain's JSON API under /api/v1.
- `pages.py`: `router`, its dashboard pages, and `NAV = [(order, key, label, path)]` for the menu.
- `models.py`: its tables (imported so `Base.metadata` knows them).
- `tasks.py`: its background tasks (imported so a worker knows them).
- `hooks.py`: `on_new_messages(ids)`, called after ingestion stores new messages.

Discovery reads the package folder and imports only the declaring modules, never a whole package tree,
so nothing heavy is imported as a side effect. This is the only module that walks the domains.
"""

from __future__ import annotations

import importlib
import pkgutil
from enum import StrEnum
from pathlib import Path
from types import ModuleType

PACKAGE = "tending"
PACKAGE_DIR = Path(__file__).resolve().parent


class Declaration(StrEnum):
    """The module names a domain may declare; see the module docstring for what each holds."""

    commands = "commands"
    views = "views"
    pages = "pages"
    models = "models"
    tasks = "tasks"
    hooks = "hooks"


def declaring_modules(kind: Declaration) -> list[str]:
    """Dotted names of the domains' modules of this kind, in domain order, without importing anything."""
    names = []
    for info in pkgutil.iter_modules([str(PACKAGE_DIR)]):
        if info.ispkg and (PACKAGE_DIR / info.name / f"{kind.value}.py").is_file():
            names.append(f"{PACKAGE}.{info.name}.{kind.value}")
    return sorted(names)


def import_declarations(kind: Declaration) -> list[ModuleType]:
    """Import every domain's module of this kind, in domain order."""
    return [importlib.import_module(name) for name in declaring_modules(kind)]
