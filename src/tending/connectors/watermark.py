"""Resumable reading of lists a network pages from the newest item backwards, or in no stated order.

Most networks answer "what is new" only as a list starting at the newest item. A poll therefore walks
pages down to the newest item delivered before (the *floor*: its time and the ids sharing that instant,
since several items can carry the same second). A walk that takes several calls keeps the next page's
token and the newest item it has seen (the *top*); the floor rises to the top only when the walk ends,
so a walk stopped half-way resumes exactly and never skips what lay between.

Lists whose order the network does not promise are walked to their last page (`ordered=False`), still
delivering only what is above the floor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T")


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 time (`Z`, `+00:00` or Graph's `+0000`) as an aware datetime; None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Watermark:
    """The newest item delivered: its time and every id delivered at exactly that time."""

    time: datetime | None = None
    ids: frozenset[str] = frozenset()

    def is_new(self, at: datetime, item_id: str) -> bool:
        if self.time is None or at > self.time:
            return True
        return at == self.time and item_id not in self.ids

    def below(self, at: datetime) -> bool:
        """True when `at` lies strictly under this mark: an ordered walk can stop there."""
        return self.time is not None and at < self.time

    def raised(self, at: datetime, item_id: str) -> Watermark:
        if self.time is None or at > self.time:
            return Watermark(at, frozenset({item_id}))
        if at == self.time:
            return Watermark(at, self.ids | {item_id})
        return self

    def merged(self, other: Watermark) -> Watermark:
        if other.time is None:
            return self
        if self.time is None or other.time > self.time:
            return other
        if other.time == self.time:
            return Watermark(self.time, self.ids | other.ids)
        return self

    def dump(self) -> dict[str, Any] | None:
        if self.time is None:
            return None
        return {"time": self.time.isoformat(), "ids": sorted(self.ids)}

    @classmethod
    def load(cls, data: Any) -> Watermark:
        if not isinstance(data, dict):
            return cls()
        at = parse_time(data.get("time"))
        ids = data.get("ids") or []
        return cls(at, frozenset(str(i) for i in ids)) if at else cls()


@dataclass(slots=True)
class Walk:
    """One list's reading state; `page` is the network's token for the next older page of a walk."""

    floor: Watermark = field(default_factory=Watermark)
    top: Watermark = field(default_factory=Watermark)
    page: str | None = None

    @property
    def in_progress(self) -> bool:
        return self.page is not None

    @property
    def fresh(self) -> bool:
        """Nothing was ever delivered from this list."""
        return self.floor.time is None and self.top.time is None and self.page is None

    def take(self, entries: Iterable[tuple[datetime, str, T]]) -> list[T]:
        """The entries above the floor; each raises the walk's top."""
        kept: list[T] = []
        for at, item_id, value in entries:
            if self.floor.is_new(at, item_id):
                kept.append(value)
                self.top = self.top.raised(at, item_id)
        return kept

    def advance(self, next_page: str | None, *, reached_floor: bool = False) -> None:
        """Go on to `next_page`, or end the walk (no next page, or the floor was reached)."""
        if next_page and not reached_floor:
            self.page = next_page
            return
        self.floor = self.floor.merged(self.top)
        self.top = Watermark()
        self.page = None

    def dump(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        if (floor := self.floor.dump()) is not None:
            state["floor"] = floor
        if self.page is not None:
            state["page"] = self.page
            if (top := self.top.dump()) is not None:
                state["top"] = top
        return state

    @classmethod
    def load(cls, data: Any) -> Walk:
        if not isinstance(data, dict):
            return cls()
        page = data.get("page")
        return cls(
            floor=Watermark.load(data.get("floor")),
            top=Watermark.load(data.get("top")) if page else Watermark(),
            page=str(page) if page else None,
        )
