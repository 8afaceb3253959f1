"""The audit log page: names, readable changes, filters and paging (no silent cap)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from tests.conftest import login

from tending.audit.service import record
from tending.inbox.models import Conversation


def _fill(factory, world, n: int) -> None:  # type: ignore[no-untyped-def]
    with factory() as s:
        start = datetime(2026, 3, 1, 12, tzinfo=UTC)
        for i in range(n):
            entry = record(
                s,
                workspace_id=world.workspace.id,
                actor_id=world.member.id if i % 2 else None,
                action="channel.cadence" if i % 2 else "post.failed",
                target_type="channel",
                target_id=world.channel.id,
                detail={"posts_per_week": 2.3333333333333335, "error": "x"},
            )
            entry.at = start + timedelta(hours=i)
        s.commit()


def test_names_and_readable_changes(client: TestClient, world, factory) -> None:
    with factory() as s:
        conv = Conversation(workspace_id=world.workspace.id, channel_id=world.channel.id, thread_key="t1")
        s.add(conv)
        s.flush()
        record(
            s,
            workspace_id=world.workspace.id,
            actor_id=world.admin.id,
            action="conversation.assign",
            target_type="conversation",
            target_id=conv.id,
            detail={"from": None, "to": world.member.id},
        )
        s.commit()
    login(client, "mia@acme.test")
    page = client.get("/w/acme/audit").text
    assert "Admin" in page and "to: Mia" in page and "from: —" in page
    assert f'href="/w/acme/inbox/{conv.id}"' in page
    assert '{"to"' not in page  # no raw JSON


def test_filters_and_paging_reach_every_entry(client: TestClient, world, factory) -> None:
    _fill(factory, world, 620)
    login(client, "mia@acme.test")
    first = client.get("/w/acme/audit").text
    assert "of 620 entries" in first and 'rel="next"' in first
    assert "2.3333333333333335" not in first and "posts per week: 2.33" in first
    last = client.get("/w/acme/audit?page=13").text
    assert "Showing 601–620 of 620 entries" in last and 'rel="next"' not in last
    mine = client.get(f"/w/acme/audit?actor={world.member.id}").text
    assert "of 310 entries" in mine
    system = client.get("/w/acme/audit?actor=system&action=post").text
    assert "of 310 entries" in system
    one_day = client.get("/w/acme/audit?since=2026-03-02&until=2026-03-02").text
    assert "of 24 entries" in one_day
    # The filters stay in the paging links.
    assert re.search(r'href="\?actor=\d+&amp;page=2"', mine)


def test_api_filters_and_offset(client: TestClient, world, factory) -> None:
    _fill(factory, world, 30)
    login(client, "mia@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}/audit"
    page1 = client.get(base, params={"action": "channel.cadence", "limit": 10}).json()
    page2 = client.get(base, params={"action": "channel.cadence", "limit": 10, "offset": 10}).json()
    assert (len(page1), len(page2)) == (10, 5) and not {e["id"] for e in page1} & {e["id"] for e in page2}
    assert len(client.get(base, params={"system_only": True, "limit": 100}).json()) == 15
