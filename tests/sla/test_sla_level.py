"""The quick level shown on inbox rows agrees with the full SLA status on every kind of conversation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tending.inbox.models import Conversation
from tending.sla.models import SlaPolicy
from tending.sla.service import sla_level, sla_status

SCHEDULES = [
    ({}, "UTC"),
    ({d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}, "Europe/Paris"),
    ({"mon": [["08:00", "12:00"], ["13:00", "17:30"]], "sat": [["10:00", "14:00"]]}, "America/New_York"),
]


@pytest.mark.parametrize(("hours", "zone"), SCHEDULES)
def test_quick_level_matches_full_status(hours: dict, zone: str) -> None:
    rng = random.Random(11)
    base = datetime(2026, 3, 20, tzinfo=UTC)  # spans the European and American DST changes
    for i in range(400):
        policy = SlaPolicy(
            id=1,
            workspace_id=1,
            name="p",
            first_response_hours=rng.choice([0.5, 1, 4, 8, 24]),
            resolution_hours=rng.choice([None, 12, 48]),
            business_hours=hours,
            timezone=zone,
            warn_fraction=0.75,
        )
        start = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        answered = start + timedelta(minutes=rng.randrange(1, 60 * 24 * 6)) if rng.random() < 0.6 else None
        resolved = (
            (answered or start) + timedelta(minutes=rng.randrange(0, 60 * 24 * 4))
            if rng.random() < 0.4
            else None
        )
        conv = Conversation(
            id=i, first_inbound_at=start, first_response_at=answered, resolved_at=resolved, priority="normal"
        )
        now = max(filter(None, [start, answered, resolved])) + timedelta(
            minutes=rng.randrange(0, 60 * 24 * 8)
        )
        full = sla_status(conversation=conv, policy=policy, now=now).level
        assert sla_level(conversation=conv, policy=policy, now=now) == full, (
            i,
            start,
            answered,
            resolved,
            now,
        )


def test_deadline_exactly_at_closing_time_is_not_a_breach() -> None:
    """Finished after closing on the day the deadline fell at closing: no business time was lost."""
    policy = SlaPolicy(
        id=1,
        workspace_id=1,
        name="p",
        first_response_hours=1,
        resolution_hours=None,
        business_hours={"mon": [["09:00", "17:00"]]},
        timezone="UTC",
        warn_fraction=0.75,
    )
    start = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # Monday, one business hour left
    conv = Conversation(
        id=1, first_inbound_at=start, first_response_at=start.replace(hour=20), priority="normal"
    )
    now = start + timedelta(days=1)
    assert sla_status(conversation=conv, policy=policy, now=now).level.value == "ok"
    assert sla_level(conversation=conv, policy=policy, now=now).value == "ok"
