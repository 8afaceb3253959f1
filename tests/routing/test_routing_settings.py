"""Routing rules and the fallback owner: API and dashboard forms, roles, references, audit."""

from __future__ import annotations

from sqlalchemy import select
from tests.conftest import login

from tending.audit.models import AuditEntry
from tending.routing.models import RoutingRule
from tending.workspace.models import Workspace


def _form_login(client, email: str) -> str:
    """Log in, then drop the CSRF header so forms must carry the token themselves."""
    login(client, email)
    return client.headers.pop("X-CSRF-Token")


def _actions(factory, workspace_id: int) -> list[tuple[str, int | None]]:
    with factory() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.workspace_id == workspace_id).order_by(AuditEntry.id)
        )
        return [(r.action, r.actor_id) for r in rows]


def test_rule_crud_over_the_api_is_audited(client, world, factory) -> None:
    login(client, world.admin.email)
    base = f"/api/v1/workspaces/{world.workspace.id}/routing-rules"
    r = client.post(
        base,
        json={
            "name": "Billing in German",
            "match_topics": ["Billing "],
            "match_languages": ["de"],
            "match_channel_ids": [world.channel.id],
            "target_member_id": world.member.id,
        },
    )
    assert r.status_code == 201, r.text
    rule = r.json()
    assert rule["match_topics"] == ["billing"] and rule["target_member_id"] == world.member.id
    assert [x["id"] for x in client.get(base).json()] == [rule["id"]]

    # Naming a team alone clears the member target; other fields stay as they were.
    r = client.patch(f"{base}/{rule['id']}", json={"target_expertise": "billing", "position": 5})
    assert r.status_code == 200, r.text
    assert r.json()["target_member_id"] is None and r.json()["target_expertise"] == "billing"
    assert r.json()["match_languages"] == ["de"] and r.json()["position"] == 5

    assert client.delete(f"{base}/{rule['id']}").status_code == 204
    assert client.get(base).json() == []
    actions = _actions(factory, world.workspace.id)
    assert [a for a, _ in actions] == ["routing_rule.create", "routing_rule.update", "routing_rule.delete"]
    assert {actor for _, actor in actions} == {world.admin.id}


def test_rule_must_stay_whole_and_inside_the_workspace(client, world) -> None:
    login(client, world.admin.email)
    base = f"/api/v1/workspaces/{world.workspace.id}/routing-rules"
    foreign_person = {"name": "x", "target_member_id": world.outsider_agency.id}
    assert client.post(base, json=foreign_person).status_code == 400
    foreign_channel = {"name": "x", "target_expertise": "ops", "match_channel_ids": [world.other_channel.id]}
    assert client.post(base, json=foreign_channel).status_code == 400
    rule = client.post(base, json={"name": "ok", "target_expertise": "ops"}).json()
    both = client.patch(
        f"{base}/{rule['id']}", json={"target_member_id": world.member.id, "target_expertise": "x"}
    )
    assert both.status_code == 422
    assert client.patch(f"{base}/{rule['id']}", json={"name": ""}).status_code == 422
    # Another workspace's rule id is invisible from here.
    other = client.post(
        f"/api/v1/workspaces/{world.other_workspace.id}/routing-rules",
        json={"name": "o", "target_expertise": "a"},
    ).json()
    assert client.patch(f"{base}/{other['id']}", json={"name": "stolen"}).status_code == 404
    assert client.delete(f"{base}/{other['id']}").status_code == 404


def test_roles_on_rules_and_fallback_owner(client, world) -> None:
    ws = world.workspace.id
    body = {"name": "x", "target_expertise": "ops"}
    login(client, world.member.email)
    assert client.get(f"/api/v1/workspaces/{ws}/routing-rules").status_code == 200
    assert client.post(f"/api/v1/workspaces/{ws}/routing-rules", json=body).status_code == 403
    assert (
        client.put(f"/api/v1/workspaces/{ws}/fallback-owner", json={"user_id": world.member.id}).status_code
        == 403
    )
    login(client, world.agency.email)
    assert client.get(f"/api/v1/workspaces/{ws}/routing-rules").status_code == 200
    assert client.post(f"/api/v1/workspaces/{ws}/routing-rules", json=body).status_code == 403
    login(client, world.outsider_agency.email)
    assert client.get(f"/api/v1/workspaces/{ws}/routing-rules").status_code == 404
    assert client.get(f"/api/v1/workspaces/{ws}/fallback-owner").status_code == 404


def test_fallback_owner_over_the_api(client, world, factory) -> None:
    login(client, world.admin.email)
    url = f"/api/v1/workspaces/{world.workspace.id}/fallback-owner"
    assert client.get(url).json() == {"user_id": None}
    assert client.put(url, json={"user_id": world.outsider_agency.id}).status_code == 400
    assert client.put(url, json={"user_id": world.member.id}).json() == {"user_id": world.member.id}
    assert client.get(url).json() == {"user_id": world.member.id}
    assert client.put(url, json={"user_id": None}).json() == {"user_id": None}
    with factory() as s:
        assert s.get(Workspace, world.workspace.id).fallback_owner_id is None
    assert [a for a, _ in _actions(factory, world.workspace.id)] == ["workspace.fallback_owner"] * 2


def test_rule_forms_create_edit_delete(client, world, factory) -> None:
    csrf = _form_login(client, world.admin.email)
    page = client.get("/w/acme/settings/routing")
    assert page.status_code == 200 and "New routing rule" in page.text
    r = client.post(
        "/w/acme/settings/routing",
        data={
            "name": "Complaints",
            "position": "10",
            "active": "1",
            "intents": "complaint, question",
            "channel_ids": [str(world.channel.id)],
            "target_member_id": str(world.member.id),
            "target_expertise": "ignored when a person is chosen",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    with factory() as s:
        rule = s.scalars(select(RoutingRule)).one()
        assert rule.match_intents == ["complaint", "question"] and rule.match_channel_ids == [
            world.channel.id
        ]
        assert rule.target_member_id == world.member.id and rule.target_expertise is None
    page = client.get("/w/acme/settings/routing")
    assert "Complaints" in page.text and "Mia" in page.text

    r = client.post(
        f"/w/acme/settings/routing/{rule.id}",
        data={"name": "Complaints", "position": "10", "target_expertise": "Support", "csrf_token": csrf},
    )
    assert r.status_code == 200
    with factory() as s:
        rule = s.get(RoutingRule, rule.id)
        assert rule.active is False and rule.target_expertise == "support" and rule.match_intents == []

    bad = client.post("/w/acme/settings/routing", data={"name": "No target", "csrf_token": csrf})
    assert bad.status_code == 400 and "target" in bad.text

    r = client.post(
        "/w/acme/settings/fallback-owner", data={"user_id": str(world.member.id), "csrf_token": csrf}
    )
    assert r.status_code == 200
    assert (
        client.post(f"/w/acme/settings/routing/{rule.id}/delete", data={"csrf_token": csrf}).status_code
        == 200
    )
    with factory() as s:
        assert s.scalars(select(RoutingRule)).all() == []
        assert s.get(Workspace, world.workspace.id).fallback_owner_id == world.member.id
    assert [a for a, _ in _actions(factory, world.workspace.id)] == [
        "routing_rule.create",
        "routing_rule.update",
        "workspace.fallback_owner",
        "routing_rule.delete",
    ]


def test_rule_forms_need_the_csrf_token_and_an_admin(client, world) -> None:
    _form_login(client, world.admin.email)
    r = client.post("/w/acme/settings/routing", data={"name": "x", "target_expertise": "ops"})
    assert r.status_code == 403 and "CSRF" in r.text
    client.cookies.clear()
    csrf = _form_login(client, world.agency.email)
    page = client.get("/w/acme/settings/routing")
    assert page.status_code == 200 and "New routing rule" not in page.text
    r = client.post(
        "/w/acme/settings/routing", data={"name": "x", "target_expertise": "ops", "csrf_token": csrf}
    )
    assert r.status_code == 403
    r = client.post("/w/acme/settings/fallback-owner", data={"user_id": "", "csrf_token": csrf})
    assert r.status_code == 403
