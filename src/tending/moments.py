"""Dates and times given by people (API bodies and queries, forms, report ranges).

A naive value means UTC, so it compares with the stored aware ones; only years a desk can mean are
accepted, so arithmetic on them (a 30-day default range, a time-zone shift) never leaves the calendar and
every database stores them alike. Anything else is a `MomentError`, which the edges answer as a 4xx.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Annotated

from pydantic import AfterValidator

from tending.errors import Refused

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
RANGE_TEXT = f"between {EARLIEST.year} and {LATEST.year - 1}"


class MomentError(Refused, ValueError):
    """A date that cannot be read or lies outside the accepted years."""


def bounded(value: datetime, zone: tzinfo = UTC) -> datetime:
    """The value as an aware datetime (naive is read in `zone`); MomentError outside the accepted years."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
    try:
        utc = aware.astimezone(UTC)
    except OverflowError:
        raise MomentError(f"expected a date {RANGE_TEXT}") from None
    if not EARLIEST <= utc < LATEST:
        raise MomentError(f"expected a date {RANGE_TEXT}")
    return aware


def bounded_day(value: date) -> date:
    if not EARLIEST.year <= value.year < LATEST.year:
        raise MomentError(f"expected a date {RANGE_TEXT}")
    return value


def parse_moment(text: str | None, field: str, zone: tzinfo = UTC) -> datetime | None:
    """A form or query value as an aware datetime (naive is read in `zone`); empty is None."""
    if text is None or not text.strip():
        return None
    try:
        return bounded(datetime.fromisoformat(text.strip()), zone)
    except MomentError as exc:
        raise MomentError(f"{field}: {exc}, got {text!r}") from None
    except ValueError:
        raise MomentError(f"{field}: expected an ISO date or date-time, got {text!r}") from None


def parse_day(text: str | None, field: str) -> date | None:
    """A form or query value as a calendar day (YYYY-MM-DD); empty is None."""
    if text is None or not text.strip():
        return None
    try:
        return bounded_day(date.fromisoformat(text.strip()))
    except MomentError as exc:
        raise MomentError(f"{field}: {exc}, got {text!r}") from None
    except ValueError:
        raise MomentError(f"{field}: expected a date as YYYY-MM-DD, got {text!r}") from None


Moment = Annotated[datetime, AfterValidator(lambda value: bounded(value))]
"""A datetime field or query parameter of the API: validated by `bounded` (a 422 otherwise)."""
