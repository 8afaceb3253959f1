"""SLA policies and alert destinations: API and dashboard forms, roles, write-only targets, audit."""

from __future__ import annotations

import orjson
from sqlalchemy import select
from tests.conftest import login

from tending.audit.models import AuditEntry
from tending.sla.business_hours import format_hours as compact_hours
from tending.sla.business_hours import parse_hours
from tending.sla.models import AlertDestination, SlaPolicy
from tending.sla.targets import SEALED, destination_target

SECRET_URL = "https://hooks.chat.example/services/T0001/B0002/s3cretHookToken"


def _form_login(client, email: str) -> str:
    """Log in, then drop the CSRF header so forms must carry the token themselves."""
    login(client, email)
    return client.headers.pop("X-CSRF-Token")


def _audit(factory, workspace_id: int) -> list[AuditEntry]:
    with factory() as s:
        return list(
            s.scalars(
                select(AuditEntry).where(AuditEntry.workspace_id == workspace_id).order_by(AuditEntry.id)
            )
        )


def test_policy_crud_over_the_api_is_audited(client, world, factory) -> None:
    login(client, world.admin.email)
    base = f"/api/v1/workspaces/{world.workspace.id}/sla-policies"
    r = client.post(
        base,
        json={
            "name": "Urgent",
            "priority": "urgent",
            "first_response_hours": 1,
            "resolution_hours": 8,
            "business_hours": {"mon": [["09:00", "17:00"]]},
            "timezone": "Europe/Berlin",
            "escalation_member_id": world.member.id,
        },
    )
    assert r.status_code == 201, r.text
    policy = r.json()
    assert policy["timezone"] == "Europe/Berlin" and policy["active"] is True
    r = client.patch(f"{base}/{policy['id']}", json={"first_response_hours": 2, "active": False})
    assert r.status_code == 200, r.text
    assert r.json()["first_response_hours"] == 2 and r.json()["active"] is False
    assert r.json()["business_hours"] == {"mon": [["09:00", "17:00"]]}
    assert [p["name"] for p in client.get(base).json()] == ["Urgent"]
    assert client.delete(f"{base}/{policy['id']}").status_code == 204
    assert client.get(base).json() == []
    assert [e.action for e in _audit(factory, world.workspace.id)] == [
        "sla_policy.create",
        "sla_policy.update",
        "sla_policy.delete",
    ]


def test_policy_values_are_checked(client, world) -> None:
    login(client, world.admin.email)
    base = f"/api/v1/workspaces/{world.workspace.id}/sla-policies"
    ok = {"name": "All", "first_response_hours": 4}
    assert client.post(base, json={**ok, "timezone": "Mars/Olympus"}).status_code == 422
    assert client.post(base, json={**ok, "business_hours": {"mon": [["25:00", "26:00"]]}}).status_code == 422
    assert client.post(base, json={**ok, "escalation_member_id": world.outsider_agency.id}).status_code == 400
    policy = client.post(base, json=ok).json()
    assert client.patch(f"{base}/{policy['id']}", json={"warn_fraction": 1.5}).status_code == 422
    assert client.patch(f"{base}/{policy['id']}", json={"first_response_hours": None}).status_code == 422
    assert client.get(base).json()[0]["warn_fraction"] == 0.75


def test_destination_targets_are_write_only(client, world, factory, settings) -> None:
    login(client, world.admin.email)
    base = f"/api/v1/workspaces/{world.workspace.id}/alert-destinations"
    r = client.post(base, json={"kind": "chat", "target": SECRET_URL})
    assert r.status_code == 201, r.text
    assert "s3cret" not in r.text and r.json()["target_hint"] == "https://hooks.chat.example/…"
    mail = client.post(base, json={"kind": "email", "target": "ops@acme.test"}).json()
    assert mail["target_hint"] == "ops@acme.test"
    listed = client.get(base)
    assert "s3cret" not in listed.text and len(listed.json()) == 2

    dest_id = r.json()["id"]
    r = client.patch(f"{base}/{dest_id}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False and "s3cret" not in r.text
    with factory() as s:
        stored = s.get(AlertDestination, dest_id)
        # encrypted at rest: the token is not in the row, and it decrypts to what was sent
        assert "s3cret" not in stored.target and stored.target.startswith(SEALED)
        assert destination_target(settings, stored) == SECRET_URL
        sealed_before = stored.target
    r = client.patch(f"{base}/{dest_id}", json={"active": True})
    with factory() as s:  # an unchanged target is not re-encrypted (and not reported as changed)
        assert s.get(AlertDestination, dest_id).target == sealed_before
    # A URL target does not fit an e-mail destination: the change is refused whole.
    assert client.patch(f"{base}/{dest_id}", json={"kind": "email"}).status_code == 422
    r = client.patch(
        f"{base}/{dest_id}", json={"kind": "webhook", "target": "https://ops.example/hook?token=abc"}
    )
    assert r.status_code == 200 and "token=abc" not in r.text
    assert client.delete(f"{base}/{mail['id']}").status_code == 204

    entries = _audit(factory, world.workspace.id)
    assert [e.action for e in entries] == [
        "alert_destination.create",
        "alert_destination.create",
        "alert_destination.update",
        "alert_destination.update",
        "alert_destination.update",
        "alert_destination.delete",
    ]
    assert entries[3].detail["changed"] == ["active"]  # re-activating did not touch the target
    written = orjson.dumps([e.detail for e in entries]).decode()
    assert "s3cret" not in written and "token=abc" not in written

    login(client, world.agency.email)
    seen = client.get(base)
    assert seen.status_code == 200 and "s3cret" not in seen.text and "token=abc" not in seen.text


def test_roles_on_policies_and_destinations(client, world) -> None:
    ws = world.workspace.id
    policy = {"name": "x", "first_response_hours": 4}
    dest = {"kind": "webhook", "target": "https://ops.example/hook"}
    for email in (world.member.email, world.agency.email):
        login(client, email)
        assert client.get(f"/api/v1/workspaces/{ws}/sla-policies").status_code == 200
        assert client.post(f"/api/v1/workspaces/{ws}/sla-policies", json=policy).status_code == 403
        assert client.post(f"/api/v1/workspaces/{ws}/alert-destinations", json=dest).status_code == 403
    login(client, world.outsider_agency.email)
    assert client.get(f"/api/v1/workspaces/{ws}/sla-policies").status_code == 404
    assert client.get(f"/api/v1/workspaces/{ws}/alert-destinations").status_code == 404
    login(client, world.admin.email)
    other = client.post(f"/api/v1/workspaces/{world.other_workspace.id}/alert-destinations", json=dest).json()
    assert (
        client.patch(f"/api/v1/workspaces/{ws}/alert-destinations/{other['id']}", json={}).status_code == 404
    )


def test_policy_forms_create_edit_delete(client, world, factory) -> None:
    csrf = _form_login(client, world.admin.email)
    assert "New SLA policy" in client.get("/w/acme/settings/sla").text
    r = client.post(
        "/w/acme/settings/sla",
        data={
            "name": "Standard",
            "first_response_hours": "4",
            "resolution_hours": "",
            "business_hours": "mon-fri 09:00-17:00",
            "timezone": "Europe/Paris",
            "warn_fraction": "0.8",
            "escalation_member_id": str(world.member.id),
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    with factory() as s:
        policy = s.scalars(select(SlaPolicy)).one()
        assert policy.business_hours["fri"] == [["09:00", "17:00"]] and "sat" not in policy.business_hours
        assert policy.resolution_hours is None and policy.escalation_member_id == world.member.id
    page = client.get("/w/acme/settings/sla")
    assert "Standard" in page.text and "mon-fri 09:00-17:00" in page.text and "4h 00m" in page.text

    r = client.post(
        f"/w/acme/settings/sla/{policy.id}",
        data={
            "name": "Standard",
            "first_response_hours": "2",
            "resolution_hours": "24",
            "active": "1",
            "csrf_token": csrf,
        },
    )
    assert r.status_code == 200
    with factory() as s:
        policy = s.get(SlaPolicy, policy.id)
        assert (
            policy.first_response_hours == 2 and policy.resolution_hours == 24 and policy.business_hours == {}
        )
        assert policy.active is True and policy.escalation_member_id is None

    bad = client.post(
        "/w/acme/settings/sla",
        data={"name": "x", "first_response_hours": "4", "business_hours": "someday 9-5", "csrf_token": csrf},
    )
    assert bad.status_code == 400 and "business hours" in bad.text
    bad = client.post(
        "/w/acme/settings/sla", data={"name": "x", "first_response_hours": "-1", "csrf_token": csrf}
    )
    assert bad.status_code == 400 and "first_response_hours" in bad.text
    assert (
        client.post(f"/w/acme/settings/sla/{policy.id}/delete", data={"csrf_token": csrf}).status_code == 200
    )
    with factory() as s:
        assert s.scalars(select(SlaPolicy)).all() == []
    assert [e.action for e in _audit(factory, world.workspace.id)] == [
        "sla_policy.create",
        "sla_policy.update",
        "sla_policy.delete",
    ]


def test_destination_forms_keep_the_secret(client, world, factory, settings) -> None:
    csrf = _form_login(client, world.admin.email)
    r = client.post(
        "/w/acme/settings/alerts", data={"kind": "chat", "target": SECRET_URL, "csrf_token": csrf}
    )
    assert r.status_code == 200 and "hooks.chat.example" in r.text and "s3cret" not in r.text
    with factory() as s:
        dest = s.scalars(select(AlertDestination)).one()
    # An empty target keeps the stored one; unticking "active" switches it off.
    r = client.post(
        f"/w/acme/settings/alerts/{dest.id}", data={"kind": "chat", "target": "", "csrf_token": csrf}
    )
    assert r.status_code == 200 and "s3cret" not in r.text
    with factory() as s:
        dest = s.get(AlertDestination, dest.id)
        assert destination_target(settings, dest) == SECRET_URL and dest.active is False
    bad = client.post(
        "/w/acme/settings/alerts", data={"kind": "email", "target": "not-an-address", "csrf_token": csrf}
    )
    assert bad.status_code == 400
    assert (
        client.post(f"/w/acme/settings/alerts/{dest.id}/delete", data={"csrf_token": csrf}).status_code == 200
    )
    with factory() as s:
        assert s.scalars(select(AlertDestination)).all() == []
    assert "s3cret" not in orjson.dumps([e.detail for e in _audit(factory, world.workspace.id)]).decode()


def test_sla_forms_refuse_agency_and_missing_csrf(client, world) -> None:
    _form_login(client, world.admin.email)
    r = client.post("/w/acme/settings/alerts", data={"kind": "webhook", "target": "https://ops.example/h"})
    assert r.status_code == 403 and "CSRF" in r.text
    client.cookies.clear()
    csrf = _form_login(client, world.agency.email)
    for path in ("/w/acme/settings/sla", "/w/acme/settings/alerts"):
        page = client.get(path)
        assert page.status_code == 200 and '<form method="post" action="/w/acme/settings' not in page.text
    r = client.post(
        "/w/acme/settings/sla", data={"name": "x", "first_response_hours": "4", "csrf_token": csrf}
    )
    assert r.status_code == 403
    r = client.post(
        "/w/acme/settings/alerts",
        data={"kind": "webhook", "target": "https://ops.example/h", "csrf_token": csrf},
    )
    assert r.status_code == 403


def test_business_hours_are_shown_as_typed_and_read_back_the_same() -> None:
    for text in (
        "mon-fri 09:00-17:00",
        "mon-wed 08:00-12:00; mon-wed 13:00-17:00; sat 10:00-14:00",
        "mon 09:00-17:00; wed 09:00-17:00",
    ):
        assert compact_hours(parse_hours(text)) == text
    assert compact_hours({}) == ""
