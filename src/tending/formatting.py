"""Numbers for people: one set of formatters used by every template (as Jinja filters) and by the text
the services write for pages and reports, so a figure reads the same everywhere.

Rules: thousands separated ("12,480"); no more decimals than the figure deserves (a float is never shown
with 16 digits); a tiny non-zero value says so ("<0.1") instead of rounding to a misleading 0; counts
agree with their noun ("1 conversation", "2 conversations")."""

from __future__ import annotations

import math
from datetime import datetime


def num(value: float | int | None, digits: int = 1) -> str:
    """A count or a measure: `12,480`, `3.5`, `2` (not `2.0`), `<0.1`; `—` when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if abs(value) >= 100:
        digits = 0
    rounded = round(value, digits)
    if rounded == 0 and value != 0:
        return f"<{10**-digits:g}" if value > 0 else f">-{10**-digits:g}"
    text = f"{rounded:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def pct(value: float | None, digits: int = 0) -> str:
    """A share (0..1) as a percentage: `34%`, `<1%`; `—` when unknown."""
    if value is None:
        return "—"
    return f"{num(100 * value, digits)}%"


def plural(count: float | int | None, singular: str, plural_form: str | None = None) -> str:
    """`1 conversation`, `2 conversations`, `1,204 messages`; the plural is `singular + s` unless given."""
    if count is None:
        return f"— {plural_form or singular + 's'}"
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{num(count)} {word}"


def hours(value: float | None) -> str:
    """A duration given in hours: `3h 05m`, or `2d 4h` from two days up; `—` when unknown."""
    if value is None:
        return "—"
    if value >= 48:  # days read better than thousands of hours
        whole = round(value)
        return f"{whole // 24}d {whole % 24}h"
    minutes = round(value * 60)
    return f"{minutes // 60}h {minutes % 60:02d}m"


def days_since(value: datetime | None, now: datetime) -> str:
    """`today`, `yesterday`, `12 days ago`, `never`."""
    if value is None:
        return "never"
    days = int((now - value).total_seconds() // 86400)
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{plural(days, 'day')} ago"


FILTERS = {"num": num, "pct": pct, "plural": plural, "hours": hours, "days_since": days_since}
