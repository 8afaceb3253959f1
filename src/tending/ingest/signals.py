"""What happens after new messages are stored: domains subscribe by exposing `on_new_messages(ids)` in
their `hooks.py` (triage, routing, scenario matching). Discovery keeps ingestion free of those imports."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import lru_cache

import tending


@lru_cache(maxsize=1)
def _subscribers() -> tuple[Callable[[list[int]], None], ...]:
    found = []
    for mod in sorted(pkgutil.walk_packages(tending.__path__, "tending."), key=lambda m: m.name):
        if mod.name.endswith(".hooks"):
            fn = getattr(importlib.import_module(mod.name), "on_new_messages", None)
            if callable(fn):
                found.append(fn)
    return tuple(found)


def after_ingest(message_ids: list[int]) -> None:
    """Hand new message ids to every subscriber (each usually queues a Huey task)."""
    if not message_ids:
        return
    for fn in _subscribers():
        fn(list(message_ids))
