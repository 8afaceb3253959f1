"""Numbers for people: the one formatter set every template uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tending.formatting import days_since, num, pct, plural
from tending.templating import templates


def test_numbers_read_like_numbers() -> None:
    assert num(0.00022456) == "<0.1"
    assert num(4453.2) == "4,453"
    assert num(1234567) == "1,234,567"
    assert num(2.0) == "2" and num(3.456) == "3.5" and num(3.456, 2) == "3.46"
    assert num(None) == "—" and num(0) == "0" and num(float("nan")) == "—"


def test_shares_and_plurals() -> None:
    assert pct(0.3333) == "33%" and pct(0.004) == "<1%" and pct(0.6667, 1) == "66.7%" and pct(None) == "—"
    assert plural(1, "conversation") == "1 conversation"
    assert plural(0, "conversation") == "0 conversations"
    assert plural(1204, "person", "people") == "1,204 people"


def test_days_since() -> None:
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    assert days_since(now - timedelta(hours=3), now) == "today"
    assert days_since(now - timedelta(days=1, hours=1), now) == "yesterday"
    assert days_since(now - timedelta(days=71), now) == "71 days ago"
    assert days_since(None, now) == "never"


def test_every_template_has_the_filters() -> None:
    env = templates().env
    rendered = env.from_string("{{ 0.30000000000000004|num }} {{ 1|plural('reply', 'replies') }}").render()
    assert rendered == "0.3 1 reply"
