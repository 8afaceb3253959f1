from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tending.sla.business_hours import (
    MON_FRI_9_17,
    ScheduleError,
    add_business_seconds,
    business_seconds,
    is_open,
    parse_schedule,
)

UTC_WEEK = parse_schedule(MON_FRI_9_17, "UTC")
PARIS = ZoneInfo("Europe/Paris")


def test_saturday_2am_to_monday_905_is_5_business_minutes() -> None:
    # 2026-03-07 is a Saturday. Wall clock: 55 h 5 min; Mon-Fri 09:00-17:00: only Monday 09:00-09:05 counts.
    asked = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)
    answered = datetime(2026, 3, 9, 9, 5, tzinfo=UTC)
    assert asked.weekday() == 5
    assert answered - asked == timedelta(hours=55, minutes=5)
    assert business_seconds(asked, answered, UTC_WEEK) == 5 * 60


def test_span_over_a_full_week_counts_40_hours() -> None:
    start = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert business_seconds(start, start + timedelta(days=7), UTC_WEEK) == 40 * 3600


def test_partial_days_and_reversed_range() -> None:
    start = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # Tuesday 16:00
    end = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)  # Wednesday 10:30
    assert business_seconds(start, end, UTC_WEEK) == 2.5 * 3600
    assert business_seconds(end, start, UTC_WEEK) == 0


def test_dst_spring_forward_night_hours_are_real_hours() -> None:
    # Paris moves from 02:00 to 03:00 on Sunday 2026-03-29. A 00:00-06:00 shift that night lasts 5 real hours.
    night = parse_schedule({"sun": [["00:00", "06:00"]]}, "Europe/Paris")
    start = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    end = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
    assert business_seconds(start, end, night) == 5 * 3600


def test_dst_local_hours_follow_the_offset_change() -> None:
    # Paris 09:00-17:00 is 08:00-16:00 UTC in winter and 07:00-15:00 UTC after 2026-03-29.
    sched = parse_schedule(MON_FRI_9_17, "Europe/Paris")
    before = datetime(2026, 3, 27, 8, 30, tzinfo=UTC)  # Friday 09:30 Paris (UTC+1)
    after = datetime(2026, 3, 30, 7, 30, tzinfo=UTC)  # Monday 09:30 Paris (UTC+2)
    assert is_open(before, sched) and is_open(after, sched)
    assert not is_open(datetime(2026, 3, 30, 6, 30, tzinfo=UTC), sched)
    # Friday 09:30 -> 17:00 is 7.5 h, Monday 09:00 -> 09:30 is 0.5 h.
    assert business_seconds(before, after, sched) == 8 * 3600
    # Wall clock across the change: 71 h, not 72.
    assert after - before == timedelta(hours=71)


def test_dst_fall_back_night_has_an_extra_hour() -> None:
    # Paris goes from 03:00 back to 02:00 on Sunday 2026-10-25: a 00:00-06:00 shift lasts 7 real hours.
    night = parse_schedule({"sun": [["00:00", "06:00"]]}, "Europe/Paris")
    start = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert business_seconds(start, start + timedelta(days=2), night) == 7 * 3600


def test_deadline_skips_the_weekend() -> None:
    friday_4pm = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    due = add_business_seconds(friday_4pm, 2 * 3600, UTC_WEEK)
    assert due == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    assert business_seconds(friday_4pm, due, UTC_WEEK) == 2 * 3600


def test_deadline_in_dst_zone_roundtrips() -> None:
    sched = parse_schedule(MON_FRI_9_17, "America/New_York")
    start = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)  # Friday 15:00 New York, DST starts Sunday 03-08
    due = add_business_seconds(start, 8 * 3600, sched)
    assert due.astimezone(ZoneInfo("America/New_York")).replace(tzinfo=None) == datetime(2026, 3, 9, 15, 0)
    assert business_seconds(start, due, sched) == 8 * 3600


def test_empty_schedule_is_always_open() -> None:
    always = parse_schedule({}, "UTC")
    a = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)
    assert business_seconds(a, a + timedelta(hours=3), always) == 3 * 3600
    assert is_open(a, always)


def test_end_of_day_2400_is_accepted() -> None:
    sched = parse_schedule({"mon": [["20:00", "24:00"]]}, "UTC")
    start = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert business_seconds(start, start + timedelta(days=2), sched) == 4 * 3600


@pytest.mark.parametrize(
    ("hours", "zone", "message"),
    [
        ({"mon": [["17:00", "09:00"]]}, "UTC", "hours.mon[0]: end 09:00 is not after start 17:00"),
        ({"mon": [["9am", "17:00"]]}, "UTC", "hours.mon[0]: expected 'HH:MM'"),
        ({"monday": [["09:00", "17:00"]]}, "UTC", "unknown day"),
        ({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, "UTC", "intervals overlap"),
        ({}, "Mars/Olympus", "unknown time zone"),
    ],
)
def test_bad_schedules_are_refused_with_the_field(hours: dict, zone: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_schedule(hours, zone)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        business_seconds(datetime(2026, 3, 2), datetime(2026, 3, 3), UTC_WEEK)
