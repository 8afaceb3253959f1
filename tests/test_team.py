from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from tests.conftest import PASSWORD

from tending.auth.models import User
from tending.routing.service import is_available as available_now
from tending.sla.business_hours import format_hours, parse_hours


def test_hours_round_trip_and_errors() -> None:
    hours = parse_hours("mon-fri 09:00-17:00; sat 10:00-14:00")
    assert hours["wed"] == [["09:00", "17:00"]] and "sun" not in hours
    assert format_hours(hours) == "mon-fri 09:00-17:00; sat 10:00-14:00"
    with pytest.raises(ValueError):
        parse_hours("mon 9-5")


def test_availability_in_own_time_zone() -> None:
    u = User(timezone="America/New_York", working_hours={"mon": [["09:00", "17:00"]]})
    assert available_now(u, datetime(2026, 3, 2, 14, tzinfo=UTC))  # 09:00 in New York
    assert not available_now(u, datetime(2026, 3, 2, 13, tzinfo=UTC))  # 08:00 there
    assert available_now(User(timezone="UTC", working_hours={}), datetime(2026, 3, 1, 3, tzinfo=UTC))


def test_team_page_and_fallback_owner(client, world, factory) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": token})
    page = client.get("/w/acme/team")
    assert page.status_code == 200 and "Mia" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/w/acme/team/fallback", data={"user_id": world.member.id, "csrf_token": csrf})
    assert r.status_code == 200
    r = client.post(
        f"/w/acme/team/{world.member.id}",
        data={
            "expertise": "Billing, delivery",
            "timezone": "Europe/Paris",
            "hours": "mon-fri 08:00-16:00",
            "csrf_token": csrf,
        },
    )
    assert "billing, delivery" in r.text
    from tending.workspace.models import Workspace

    with factory() as s:
        assert s.get(Workspace, world.workspace.id).fallback_owner_id == world.member.id
    bad = client.post(f"/w/acme/team/{world.member.id}", data={"timezone": "Mars/Base", "csrf_token": csrf})
    assert bad.status_code == 400
