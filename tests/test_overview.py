from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
from tests.conftest import login

from tending.channel.models import Channel
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items
from tending.overview.service import is_off_hours, waiting_by_age
from tending.templating import json_island

NOW = datetime(2026, 6, 10, 12, tzinfo=UTC)


def _msg(session, ch, n, at):
    rec = {"id": f"q{n}", "text": f"question {n}?", "created_at": at.isoformat(), "author": {"id": f"u{n}"}}
    ingest_items(session, channel=ch, items=[item_from_record(rec, raw=orjson.dumps(rec).decode())])


def test_waiting_by_age_marks_off_hours(session, world) -> None:
    ch = session.get(Channel, world.channel.id)
    _msg(session, ch, 1, NOW - timedelta(minutes=30))  # Wednesday 11:30 UTC: office hours
    _msg(session, ch, 2, datetime(2026, 6, 6, 2, tzinfo=UTC))  # Saturday 02:00
    _msg(session, ch, 3, NOW - timedelta(hours=10))  # 02:00 on a Wednesday
    session.commit()
    buckets = {
        b.label: b for b in waiting_by_age(session, workspace_id=world.workspace.id, timezone="UTC", now=NOW)
    }
    assert (buckets["under 1 h"].count, buckets["under 1 h"].off_hours) == (1, 0)
    assert (buckets["4–24 h"].count, buckets["4–24 h"].off_hours) == (1, 1)
    assert (buckets["over 3 days"].count, buckets["over 3 days"].off_hours) == (1, 1)
    assert is_off_hours(datetime(2026, 6, 10, 7, 30, tzinfo=UTC), ZoneInfo("Europe/Paris")) is False


def test_json_island_cannot_close_its_script() -> None:
    assert "</script>" not in str(json_island({"x": "</script><script>alert(1)</script>"}))


def test_overview_page_renders(client, world) -> None:
    login(client, "mia@acme.test")
    page = client.get("/w/acme/overview")
    assert page.status_code == 200
    assert 'data-testid="waiting-total">0 messages<' in page.text and "volume-data" in page.text
