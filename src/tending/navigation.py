"""The dashboard's navigation: each domain adds its pages by declaring `NAV = [(order, key, label, path)]`
in its `pages.py`; the layout shows them in order. Paths are relative to `/w/<slug>`."""

from __future__ import annotations

from functools import lru_cache

from tending.discovery import Declaration, import_declarations


@lru_cache(maxsize=1)
def _declared() -> tuple[tuple[int, str, str, str], ...]:
    found: list[tuple[int, str, str, str]] = []
    for module in import_declarations(Declaration.pages):
        found.extend(getattr(module, "NAV", []))
    return tuple(sorted(found))


def nav_items(slug: str) -> list[dict[str, str]]:
    return [{"key": key, "label": label, "href": f"/w/{slug}{path}"} for _o, key, label, path in _declared()]
