"""Business-hours arithmetic in a named time zone, DST-aware.

Hours are given as `{"mon": [["09:00", "17:00"]], ...}` in local wall time. Every interval is turned
into a pair of real instants (UTC) for its calendar day, so a day that loses or gains an hour at a
DST change counts the hours that really elapsed. An empty schedule means "always open": business time
then equals wall-clock time, which is what a 24/7 team expects.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tending.errors import Refused

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Longest stretch searched for the next open minute; a schedule with no open time at all is refused earlier.
_MAX_DAYS_SCANNED = 800


class ScheduleError(Refused, ValueError):
    """A schedule or time zone that cannot be used; the message names the bad field."""


@dataclass(frozen=True)
class Schedule:
    """Weekly open intervals in local time; `intervals[weekday]` holds (start, end) minutes since midnight."""

    zone: ZoneInfo
    intervals: tuple[tuple[tuple[int, int], ...], ...]

    @property
    def always_open(self) -> bool:
        return not any(self.intervals)


def _minutes(value: Any, where: str) -> int:
    if not isinstance(value, str) or len(value.split(":")) != 2:
        raise ScheduleError(f"{where}: expected 'HH:MM', got {value!r}")
    hh, mm = value.split(":")
    if not (hh.isdigit() and mm.isdigit()):
        raise ScheduleError(f"{where}: expected 'HH:MM', got {value!r}")
    total = int(hh) * 60 + int(mm)
    if int(mm) >= 60 or total > 24 * 60:
        raise ScheduleError(f"{where}: {value!r} is not a time of day")
    return total


def load_zone(name: str, *, field: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise ScheduleError(f"{field}: unknown time zone {name[:80]!r}") from None


def parse_schedule(hours: Mapping[str, Any] | None, timezone: str, *, field: str = "hours") -> Schedule:
    """Validate and compile a working-hours dict; errors name the day and interval at fault."""
    zone = load_zone(timezone)
    per_day: list[tuple[tuple[int, int], ...]] = []
    hours = hours or {}
    unknown = set(hours) - set(DAYS)
    if unknown:
        raise ScheduleError(f"{field}: unknown day(s) {sorted(unknown)}; use {', '.join(DAYS)}")
    for day in DAYS:
        spans: list[tuple[int, int]] = []
        for i, span in enumerate(hours.get(day) or []):
            where = f"{field}.{day}[{i}]"
            if not isinstance(span, list | tuple) or len(span) != 2:
                raise ScheduleError(f"{where}: expected [start, end]")
            start, end = _minutes(span[0], where), _minutes(span[1], where)
            if end <= start:
                raise ScheduleError(f"{where}: end {span[1]} is not after start {span[0]}")
            spans.append((start, end))
        spans.sort()
        for (_, prev_end), (nxt_start, _) in itertools.pairwise(spans):
            if nxt_start < prev_end:
                raise ScheduleError(f"{field}.{day}: intervals overlap")
        per_day.append(tuple(spans))
    return Schedule(zone=zone, intervals=tuple(per_day))


def _local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The real instant of a local wall time; 24:00 is the next midnight. Missing times (spring gap) use
    the offset before the change, as zoneinfo does with fold=0."""
    if minutes >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone).astimezone(UTC)


def _open_spans(schedule: Schedule, first_day: date, last_day: date) -> Iterator[tuple[datetime, datetime]]:
    day = first_day
    while day <= last_day:
        for start, end in schedule.intervals[day.weekday()]:
            yield _local_instant(day, start, schedule.zone), _local_instant(day, end, schedule.zone)
        day += timedelta(days=1)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given; pass timezone-aware datetimes")
    return value.astimezone(UTC)


def business_seconds(start: datetime, end: datetime, schedule: Schedule) -> float:
    """Open seconds between two instants (0 when end <= start)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return 0.0
    if schedule.always_open:
        return (end - start).total_seconds()
    first = start.astimezone(schedule.zone).date() - timedelta(days=1)
    last = end.astimezone(schedule.zone).date()
    total = 0.0
    for open_at, close_at in _open_spans(schedule, first, last):
        lo, hi = max(open_at, start), min(close_at, end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return total


def add_business_seconds(start: datetime, seconds: float, schedule: Schedule) -> datetime:
    """The instant when `seconds` of open time have passed since `start` (a deadline)."""
    start = _utc(start)
    if schedule.always_open:
        return start + timedelta(seconds=seconds)
    remaining = seconds
    day = start.astimezone(schedule.zone).date() - timedelta(days=1)
    for _ in range(_MAX_DAYS_SCANNED):
        for open_at, close_at in _open_spans(schedule, day, day):
            lo = max(open_at, start)
            if close_at <= lo:
                continue
            span = (close_at - lo).total_seconds()
            if span >= remaining:
                return lo + timedelta(seconds=remaining)
            remaining -= span
        day += timedelta(days=1)
    raise ScheduleError("hours: no open time found in the schedule")


def is_open(at: datetime, schedule: Schedule) -> bool:
    """Whether the schedule is open at this instant (always true for an empty schedule)."""
    if schedule.always_open:
        return True
    at = _utc(at)
    day = at.astimezone(schedule.zone).date()
    return any(o <= at < c for o, c in _open_spans(schedule, day - timedelta(days=1), day))


def local_weekday_hour(at: datetime, zone: ZoneInfo) -> tuple[int, int]:
    """(weekday 0=Monday, hour 0-23) of an instant in a zone, for heat maps."""
    local = _utc(at).astimezone(zone)
    return local.weekday(), local.hour


MON_FRI_9_17: dict[str, list[list[str]]] = {d: [["09:00", "17:00"]] for d in DAYS[:5]}


def parse_hours(text: str) -> dict[str, list[list[str]]]:
    """`mon-fri 09:00-17:00; sat 10:00-14:00` → the working-hours map; empty means around the clock.
    `ScheduleError` says which part does not read."""
    try:
        return _hours(text)
    except ScheduleError:
        raise
    except ValueError as exc:
        raise ScheduleError(f"business hours: {exc}") from None


def _hours(text: str) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days, _, span = part.partition(" ")
        start, _, end = span.strip().partition("-")
        for t in (start, end):
            datetime.strptime(t, "%H:%M")
        if "-" in days:
            a, b = days.split("-")
            names = DAYS[DAYS.index(a) : DAYS.index(b) + 1]
        else:
            names = tuple(d for d in days.split(",") if d)
        for d in names:
            if d not in DAYS:
                raise ScheduleError(f"business hours: unknown day {d[:40]!r}")
            out.setdefault(d, []).append([start, end])
    return out


def format_hours(hours: dict[str, list[list[str]]]) -> str:
    """Hours as typed: days in a row with the same spans share one entry (`mon-fri 09:00-17:00`)."""
    runs: list[tuple[list[str], list[list[str]]]] = []
    for day in DAYS:
        spans = hours.get(day, [])
        if spans and runs and runs[-1][1] == spans and DAYS.index(runs[-1][0][-1]) == DAYS.index(day) - 1:
            runs[-1][0].append(day)
        elif spans:
            runs.append(([day], spans))
    parts: list[str] = []
    for days, spans in runs:
        name = days[0] if len(days) == 1 else f"{days[0]}-{days[-1]}"
        parts.extend(f"{name} {a}-{b}" for a, b in spans)
    return "; ".join(parts)
