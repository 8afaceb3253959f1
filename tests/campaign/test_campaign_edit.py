"""A draft campaign's plan is editable until launch, through one service function (API and page)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login

from tending.audit.models import AuditEntry
from tending.campaign.models import Campaign, CampaignStatus


def _draft(client: TestClient, world) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    """Logged in as a member: the workspace id and a new draft campaign."""
    login(client, "mia@acme.test")
    ws = world.workspace.id
    r = client.post(f"/api/v1/workspaces/{ws}/campaigns", json={"name": "Spring blend"})
    assert r.status_code == 201, r.text
    return ws, r.json()


def _kpi(client: TestClient, ws: int, campaign: dict) -> dict:
    r = client.post(
        f"/api/v1/workspaces/{ws}/campaigns/{campaign['id']}/kpis",
        json={"name": "Mentions", "metric": "mentions", "target": 100, "horizon_days": 30},
    )
    return r.json()["kpis"][0]


def test_api_edits_a_draft_and_audits_the_fields_that_changed(client: TestClient, world, factory) -> None:
    ws, c = _draft(client, world)
    r = client.patch(
        f"/api/v1/workspaces/{ws}/campaigns/{c['id']}",
        json={
            "objective": "Get 300 people to try the spring blend",
            "owner_id": world.member.id,
            "channel_ids": [world.channel.id],
            "hashtags": ["#springblend"],
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["objective"].startswith("Get 300") and body["owner_id"] == world.member.id
    assert body["channel_ids"] == [world.channel.id] and body["hashtags"] == ["#springblend"]
    assert body["name"] == "Spring blend"  # not sent, not changed
    with factory() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.update"))
        assert entry is not None and entry.actor_id == world.member.id
        assert sorted(entry.detail["changed"]) == ["channels", "hashtags", "objective", "owner_id"]


def test_kpis_edit_and_delete_until_launch(client: TestClient, world) -> None:
    ws, c = _draft(client, world)
    kpi = _kpi(client, ws, c)
    r = client.put(
        f"/api/v1/workspaces/{ws}/campaigns/{c['id']}/kpis/{kpi['id']}",
        json={"name": "Mentions", "metric": "mentions", "target": 250, "horizon_days": 45},
    )
    assert r.status_code == 200 and r.json()["kpis"][0]["target"] == 250
    gone = client.delete(f"/api/v1/workspaces/{ws}/campaigns/{c['id']}/kpis/{kpi['id']}")
    assert gone.status_code == 200 and gone.json()["kpis"] == []


def test_edits_are_refused_after_launch(client: TestClient, world, factory) -> None:
    ws, c = _draft(client, world)
    kpi = _kpi(client, ws, c)
    with factory() as s:
        campaign = s.get(Campaign, c["id"])
        assert campaign is not None
        campaign.status = CampaignStatus.launched.value
        s.commit()
    api = client.patch(f"/api/v1/workspaces/{ws}/campaigns/{c['id']}", json={"objective": "Something else"})
    assert api.status_code == 409 and "launched" in api.json()["detail"]
    kpi_edit = client.put(
        f"/api/v1/workspaces/{ws}/campaigns/{c['id']}/kpis/{kpi['id']}",
        json={"name": "Mentions", "metric": "mentions", "target": 5, "horizon_days": 30},
    )
    assert kpi_edit.status_code == 409
    page = client.post(f"/w/acme/campaigns/{c['id']}/edit", data={"name": "Renamed"})
    assert page.status_code == 409 and 'data-testid="error-page"' in page.text
    assert "Renamed" not in client.get(f"/api/v1/workspaces/{ws}/campaigns/{c['id']}").text


def test_page_form_edits_the_plan(client: TestClient, world) -> None:
    ws, c = _draft(client, world)
    r = client.post(
        f"/w/acme/campaigns/{c['id']}/edit",
        data={
            "name": "Spring blend 2027",
            "objective": "Sell out the first roast",
            "owner_id": str(world.member.id),
            "channel_ids": [str(world.channel.id)],
            "keywords": "spring blend, first roast",
            "ends_at": "2027-04-30",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    got = client.get(f"/api/v1/workspaces/{ws}/campaigns/{c['id']}").json()
    assert got["name"] == "Spring blend 2027" and got["keywords"] == ["spring blend", "first roast"]
    assert got["channel_ids"] == [world.channel.id] and got["ends_at"].startswith("2027-04-30")
    # Another workspace's channel is refused with a page, and nothing changes.
    bad = client.post(
        f"/w/acme/campaigns/{c['id']}/edit",
        data={"name": "x", "channel_ids": [str(world.other_channel.id)]},
    )
    assert bad.status_code == 400 and "no such channel on this workspace" in bad.text
    assert client.get(f"/api/v1/workspaces/{ws}/campaigns/{c['id']}").json()["name"] == "Spring blend 2027"
