from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tending.templating import due_text, local_time, plural

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_plural_and_thousands() -> None:
    assert plural(1, "conversation") == "1 conversation"
    assert plural(0, "conversation") == "0 conversations"
    assert plural(12034, "message") == "12,034 messages"
    assert plural(2, "person", "people") == "2 people"


def test_due_text_says_due_or_late() -> None:
    assert due_text(NOW + timedelta(hours=2, minutes=5), NOW) == "due in 2h 05m"
    assert due_text(NOW - timedelta(days=1, hours=3), NOW) == "late by 1d 3h"
    assert due_text(NOW + timedelta(minutes=7), NOW) == "due in 7m"


def test_local_time_in_the_workspace_zone() -> None:
    assert local_time(NOW, "Europe/Paris") == "2026-11-20 13:00 CET"
    assert local_time(NOW, "Not/AZone") == "2026-11-20 12:00 UTC"
