"""Availability from working hours in each person's own time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tending.auth.models import User

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def available_now(user: User, now: datetime) -> bool:
    """True within one of the person's working spans; no hours set means always available."""
    hours = user.working_hours or {}
    if not hours:
        return True
    local = now.astimezone(ZoneInfo(user.timezone or "UTC"))
    hm = local.strftime("%H:%M")
    return any(start <= hm < end for start, end in hours.get(DAY_KEYS[local.weekday()], []))
