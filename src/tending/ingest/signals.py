"""What happens after new messages are stored: domains subscribe by exposing `on_new_messages(ids)` in
their `hooks.py` (triage, routing, scenario matching). Discovery keeps ingestion free of those imports."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from tending.discovery import Declaration, import_declarations


@lru_cache(maxsize=1)
def _subscribers() -> tuple[Callable[[list[int]], None], ...]:
    found = []
    for module in import_declarations(Declaration.hooks):
        fn = getattr(module, "on_new_messages", None)
        if callable(fn):
            found.append(fn)
    return tuple(found)


def after_ingest(message_ids: list[int]) -> None:
    """Hand new message ids to every subscriber (each usually queues a Huey task)."""
    if not message_ids:
        return
    for fn in _subscribers():
        fn(list(message_ids))
