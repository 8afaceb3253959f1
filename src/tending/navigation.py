"""The dashboard's navigation: each domain adds its pages by declaring `NAV = [(order, key, label, path)]`
in its `pages.py`; the layout shows them in order. Paths are relative to `/w/<slug>`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

import tending


@lru_cache(maxsize=1)
def _declared() -> tuple[tuple[int, str, str, str], ...]:
    found: list[tuple[int, str, str, str]] = []
    for mod in pkgutil.walk_packages(tending.__path__, "tending."):
        if mod.name.endswith(".pages") and ".connectors." not in mod.name:
            found.extend(getattr(importlib.import_module(mod.name), "NAV", []))
    return tuple(sorted(found))


def nav_items(slug: str) -> list[dict[str, str]]:
    return [{"key": key, "label": label, "href": f"/w/{slug}{path}"} for _o, key, label, path in _declared()]
