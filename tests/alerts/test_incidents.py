"""Alerts become incidents: grouped by kind, scope and time; acknowledged and resolved by a person,
audited; listed over the API, on the alerts page and in the overview panel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from tests.conftest import login

from tending.alerts.models import AlertIncident, IncidentKind, IncidentState
from tending.alerts.service import AlertSignal, acknowledge, list_incidents, record_alerts, resolve
from tending.audit.models import AuditEntry
from tending.auth.models import User
from tending.channel.models import ChannelCreate
from tending.channel.service import create as create_channel

T0 = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)


def _scenario(at: datetime, channel_id: int, n: int = 0) -> AlertSignal:
    return AlertSignal(
        kind=IncidentKind.scenario_match,
        at=at,
        title="Messages fit the worst case “Product safety scare”",
        channel_id=channel_id,
        evidence={"excerpt": f"is it safe? ({n})"},
        message_ids=[n],
    )


def _second_channel(session, settings, world) -> int:
    return create_channel(
        session,
        settings=settings,
        workspace_id=world.workspace.id,
        channel_in=ChannelCreate(network="fake", name="Acme elsewhere", external_id="acme-2", config={}),
    ).id


def test_one_event_across_channels_makes_one_incident(session, settings, world) -> None:
    ws, ch = world.workspace.id, world.channel.id
    other = _second_channel(session, settings, world)
    wave = [_scenario(T0 + timedelta(minutes=4 * i), ch, i) for i in range(60)]  # four hours, one story
    later = _scenario(T0 + timedelta(days=2), ch, 99)  # two days later: another incident
    elsewhere = _scenario(T0 + timedelta(minutes=5), other, 100)  # the same wave on another channel
    spike = AlertSignal(kind=IncidentKind.spike, at=T0, title="40 messages in an hour", channel_id=other)
    stale = AlertSignal(kind=IncidentKind.cadence, at=T0, title="silent for 9 days", channel_id=ch)
    record_alerts(session, workspace_id=ws, signals=[*wave, later, elsewhere, spike, stale])
    incidents = list(session.scalars(select(AlertIncident).order_by(AlertIncident.id)))
    by = sorted((i.kind, i.scope_key, i.alert_count) for i in incidents)
    assert by == [
        ("cadence", f"channel:{ch}", 1),  # a stale channel is its own problem, not the burst's
        ("scenario_match", "workspace", 1),
        ("spike", "workspace", 62),  # the spike outranks the matches it came with and names the incident
    ]
    big = next(i for i in incidents if i.alert_count == 62)
    assert big.title == "40 messages in an hour"
    assert (big.opened_at, big.last_at) == (T0, T0 + timedelta(minutes=236))
    assert sorted(big.message_ids) == [*range(60), 100]
    # Capped evidence still has a line for each kind and channel of the event.
    assert {(e["kind"], e["scope"]) for e in big.evidence} == {
        ("spike", f"channel:{other}"),
        ("scenario_match", f"channel:{ch}"),
        ("scenario_match", f"channel:{other}"),
    }
    assert len(big.evidence) <= 21
    # Run again later over the same hours (a detector catching up): the alerts join, nothing new opens.
    record_alerts(session, workspace_id=ws, signals=[_scenario(T0 + timedelta(hours=5), ch, 61)])
    assert session.scalar(select(AlertIncident).where(AlertIncident.id == big.id)).alert_count == 63
    assert len(list(session.scalars(select(AlertIncident)))) == 3


def test_late_replies_on_several_channels_are_one_incident(session, settings, world) -> None:
    ws, ch = world.workspace.id, world.channel.id
    other = _second_channel(session, settings, world)
    signals = [
        AlertSignal(
            kind=IncidentKind.sla_warning, at=T0, title="due soon", channel_id=ch, conversation_ids=[1]
        ),
        AlertSignal(kind=IncidentKind.sla_breach, at=T0 + timedelta(hours=1), title="late", channel_id=other),
        AlertSignal(kind=IncidentKind.sla_breach, at=T0 + timedelta(days=1), title="late", channel_id=ch),
    ]
    record_alerts(session, workspace_id=ws, signals=signals)
    rows = sorted((i.kind, i.alert_count) for i in session.scalars(select(AlertIncident)))
    assert rows == [("sla_breach", 1), ("sla_breach", 2)]


def test_a_resolved_incident_is_not_reopened_and_keys_count_once(session, world) -> None:
    ws, ch = world.workspace.id, world.channel.id
    admin = session.get(User, world.admin.id)
    first = record_alerts(session, workspace_id=ws, signals=[_scenario(T0, ch, 1)])[0]
    resolve(session, incident=first, actor=admin, now=T0 + timedelta(minutes=30))
    second = record_alerts(session, workspace_id=ws, signals=[_scenario(T0 + timedelta(hours=1), ch, 2)])[0]
    assert second.id != first.id and second.state == IncidentState.open
    jump = AlertSignal(
        kind=IncidentKind.audience_jump, at=T0, title="suspicious followers jump", channel_id=ch, key="j1"
    )
    record_alerts(session, workspace_id=ws, signals=[jump])
    again = record_alerts(session, workspace_id=ws, signals=[jump])
    assert (
        again == []
        and session.scalar(select(AlertIncident.alert_count).where(AlertIncident.kind == "audience_jump"))
        == 1
    )


def test_one_keyword_match_is_not_yet_an_incident_people_see(session, world) -> None:
    ws, ch = world.workspace.id, world.channel.id
    record_alerts(
        session, workspace_id=ws, signals=[_scenario(T0, ch, 1), _scenario(T0 + timedelta(hours=1), ch, 2)]
    )
    assert list_incidents(session, workspace_id=ws) == ([], 0)
    record_alerts(session, workspace_id=ws, signals=[_scenario(T0 + timedelta(hours=2), ch, 3)])
    rows, total = list_incidents(session, workspace_id=ws)
    assert total == 1 and rows[0].alert_count == 3


def test_acknowledge_and_resolve_are_audited_and_refuse_twice(session, world) -> None:
    incident = record_alerts(
        session, workspace_id=world.workspace.id, signals=[_scenario(T0, world.channel.id)]
    )[0]
    mia = session.get(User, world.member.id)
    acknowledge(session, incident=incident, actor=mia, now=T0 + timedelta(minutes=3))
    assert (incident.state, incident.acknowledged_by_id) == (IncidentState.acknowledged, mia.id)
    try:
        acknowledge(session, incident=incident, actor=mia, now=T0)
        raise AssertionError("acknowledged twice")
    except ValueError as exc:
        assert "acknowledged" in str(exc)
    resolve(session, incident=incident, actor=mia, now=T0 + timedelta(minutes=9), note="statement posted")
    entries = list(session.scalars(select(AuditEntry).where(AuditEntry.target_type == "alert_incident")))
    assert [(e.action, e.actor_id, e.target_id) for e in entries] == [
        ("alert.acknowledge", mia.id, incident.id),
        ("alert.resolve", mia.id, incident.id),
    ]
    assert entries[1].detail["note"] == "statement posted" and entries[1].detail["from"] == "acknowledged"


def _seed(factory, world) -> int:
    with factory() as s:
        at = datetime.now(UTC) - timedelta(hours=2)
        incident = record_alerts(
            s,
            workspace_id=world.workspace.id,
            signals=[_scenario(at + timedelta(minutes=n), world.channel.id, n) for n in range(3)],
        )[0]
        s.commit()
        return incident.id


def test_api_lists_acts_and_hides_other_workspaces(client, factory, world) -> None:
    incident_id = _seed(factory, world)
    login(client, "mia@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}/alerts"
    listed = client.get(base).json()
    assert listed["total"] == 1 and listed["open"] == 1
    assert listed["items"][0]["kind"] == "scenario_match"
    assert client.post(f"{base}/{incident_id}/acknowledge").json()["state"] == "acknowledged"
    assert client.post(f"{base}/{incident_id}/acknowledge").status_code == 409
    done = client.post(f"{base}/{incident_id}/resolve", json={"note": "handled"}).json()
    assert done["state"] == "resolved" and done["resolved_by_id"] == world.member.id
    assert client.get(base, params={"state": "open"}).json()["total"] == 0
    assert client.post(f"{base}/{incident_id}/explode").status_code == 422
    # Another workspace's path cannot reach it.
    assert (
        client.get(f"/api/v1/workspaces/{world.other_workspace.id}/alerts/{incident_id}").status_code == 404
    )


def test_alerts_page_and_overview_panel_list_and_act(client, factory, world) -> None:
    incident_id = _seed(factory, world)
    login(client, "mia@acme.test")
    page = client.get("/w/acme/alerts")
    assert page.status_code == 200 and 'data-testid="incident"' in page.text
    assert "Worst case recognised" in page.text and 'href="/w/acme/alerts"' in page.text  # in the nav
    overview = client.get("/w/acme/overview")
    assert (
        'data-testid="alerts-panel"' in overview.text
        and f"/alerts/{incident_id}/acknowledge" in overview.text
    )
    r = client.post(
        f"/w/acme/alerts/{incident_id}/acknowledge", data={"next": "/w/acme/overview"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/w/acme/overview"
    r = client.post(
        f"/w/acme/alerts/{incident_id}/resolve",
        data={"next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/w/acme/alerts"
    with factory() as s:
        assert s.get(AlertIncident, incident_id).state == "resolved"
    assert "No unresolved incident" in client.get("/w/acme/alerts").text
    # The alert settings page says alerts are listed on the desk: it links to where they are.
    assert 'data-testid="alerts-link"' in client.get("/w/acme/settings/alerts").text
    detail = client.get(f"/w/acme/alerts/{incident_id}")
    assert detail.status_code == 200 and "Resolved by Mia" in detail.text
