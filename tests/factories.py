"""Generic-format records for tests: small, explicit, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def record(
    n: int,
    *,
    text: str | None = None,
    parent: str | None = None,
    thread: str | None = None,
    direction: str = "inbound",
    kind: str = "comment",
    author: str | None = None,
    minutes: int | None = None,
) -> dict[str, Any]:
    who = author or f"user{n % 7}"
    return {
        "id": f"m{n}",
        "kind": kind,
        "text": text if text is not None else f"message number {n} about coffee",
        "created_at": (BASE + timedelta(minutes=minutes if minutes is not None else n)).isoformat(),
        "direction": direction,
        "parent_id": parent,
        "thread_id": thread,
        "author": {
            "id": who,
            "handle": who,
            "name": who.title(),
            "followers": 10 + n,
            "following": 5,
            "created_at": "2020-01-01T00:00:00+00:00",
            "default_avatar": False,
            "bio": "hi",
        },
    }


def jsonl(records: list[dict[str, Any]]) -> str:
    return "\n".join(orjson.dumps(r).decode() for r in records) + "\n"
