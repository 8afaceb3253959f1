"""Reading a Graph edge that lists objects newest first (tags, mentions) down to the last poll's floor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tending.connectors.bases import InboundItem
from tending.connectors.graph.client import GraphClient, data_list, next_after
from tending.connectors.watermark import Walk


@dataclass(frozen=True, slots=True)
class NewestFirst:
    """One page per call of `path` with `fields`; `when(obj)` is the object's time (None: skipped) and
    `item(obj, at)` the inbound item it becomes."""

    path: str
    fields: str
    what: str
    when: Callable[[dict[str, Any]], datetime | None]
    item: Callable[[dict[str, Any], datetime], InboundItem]


def read_newest(
    graph: GraphClient, edge: NewestFirst, stored: Any, *, limit: int, start: str
) -> tuple[list[InboundItem], dict[str, Any], bool]:
    """The items above the floor from one page, the state to store, and whether the walk goes on.

    A first read with `start="latest"` takes the newest page only; the floor rises when a walk ends.
    """
    walk = Walk.load(stored)
    first_only = walk.fresh and start == "latest"
    page = graph.get(
        edge.path, params={"fields": edge.fields, "limit": limit, "after": walk.page}, what=edge.what
    )
    entries = []
    for obj in data_list(page, what=edge.what, network=graph.network):
        at = edge.when(obj)
        if at is not None and obj.get("id"):
            entries.append((at, str(obj["id"]), (obj, at)))
    found = [edge.item(obj, at) for obj, at in walk.take(entries)]
    reached = any(walk.floor.below(at) for at, _, _ in entries)
    walk.advance(None if first_only else next_after(page), reached_floor=reached)
    return found, walk.dump(), walk.in_progress
