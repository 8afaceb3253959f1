"""Ids of another workspace's people and objects in a request body are refused (400) without naming them,
and nothing is stored: owners, responders, assignees, routing and escalation targets, the fallback owner,
channels and campaigns, through the API and through the dashboard forms alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import login

from tending.audit.models import AuditEntry
from tending.campaign.models import Campaign, CampaignCreate
from tending.campaign.service import create_campaign
from tending.inbox.models import SavedView
from tending.workspace.models import Workspace


@dataclass(frozen=True)
class Foreign:
    """Real ids of the other workspace, and the words that must never come back."""

    person: int
    channel: int
    campaign: int
    names: tuple[str, ...]


@pytest.fixture()
def foreign(factory: sessionmaker[Session], world) -> Foreign:  # type: ignore[no-untyped-def]
    with factory() as s:
        theirs = create_campaign(
            s, workspace_id=world.other_workspace.id, campaign_in=CampaignCreate(name="Their secret launch")
        )
        s.commit()
        campaign_id = theirs.id
    return Foreign(
        person=world.outsider_agency.id,
        channel=world.other_channel.id,
        campaign=campaign_id,
        names=(
            world.outsider_agency.name,
            world.outsider_agency.email,
            "Other on Fake",
            "Their secret launch",
        ),
    )


@pytest.fixture()
def admin(app, world) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield login(c, world.admin.email)


def _own_campaign(admin: TestClient, ws: int) -> int:
    r = admin.post(f"/api/v1/workspaces/{ws}/campaigns", json={"name": "Ours"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def requests_with_foreign_ids(ids: dict[str, Any], f: Foreign) -> list[tuple[str, str, dict[str, Any], bool]]:
    """(method, path, body, is_form) for every body field that carries an id."""
    api, page = f"/api/v1/workspaces/{ids['ws']}", f"/w/{ids['slug']}"
    conv, camp = ids["conversation"], ids["campaign"]
    return [
        ("POST", f"{api}/campaigns", {"name": "C", "owner_id": f.person}, False),
        ("POST", f"{api}/campaigns", {"name": "C", "channel_ids": [f.channel]}, False),
        ("POST", f"{api}/campaigns/{camp}/scenarios", {"title": "S", "responder_id": f.person}, False),
        ("POST", f"{api}/posts", {"channel_id": f.channel, "text": "P"}, False),
        (
            "POST",
            f"{api}/posts",
            {"channel_id": ids["channel"], "text": "P", "campaign_id": f.campaign},
            False,
        ),
        ("POST", f"{api}/conversations/{conv}/assign", {"assignee_id": f.person}, False),
        ("POST", f"{api}/routing-rules", {"name": "R", "target_member_id": f.person}, False),
        (
            "POST",
            f"{api}/routing-rules",
            {"name": "R", "target_expertise": "x", "match_channel_ids": [f.channel]},
            False,
        ),
        (
            "POST",
            f"{api}/sla-policies",
            {"name": "S", "first_response_hours": 1, "escalation_member_id": f.person},
            False,
        ),
        ("PUT", f"{api}/fallback-owner", {"user_id": f.person}, False),
        ("POST", f"{api}/saved-views", {"name": "V", "filters": {"channel_id": str(f.channel)}}, False),
        ("POST", f"{api}/saved-views", {"name": "V", "filters": {"assignee": str(f.person)}}, False),
        ("POST", f"{page}/campaigns", {"name": "C", "owner_id": str(f.person)}, True),
        ("POST", f"{page}/campaigns", {"name": "C", "channel_ids": [str(f.channel)]}, True),
        ("POST", f"{page}/campaigns/{camp}/scenarios", {"title": "S", "responder_id": str(f.person)}, True),
        ("POST", f"{page}/calendar/posts", {"channel_id": str(f.channel), "text": "P"}, True),
        ("POST", f"{page}/inbox/{conv}/assign", {"assignee_id": str(f.person)}, True),
        ("POST", f"{page}/settings/routing", {"name": "R", "target_member_id": str(f.person)}, True),
        (
            "POST",
            f"{page}/settings/routing",
            {"name": "R", "target_expertise": "x", "channel_ids": [str(f.channel)]},
            True,
        ),
        (
            "POST",
            f"{page}/settings/sla",
            {"name": "S", "first_response_hours": "1", "escalation_member_id": str(f.person)},
            True,
        ),
        ("POST", f"{page}/team/fallback", {"user_id": str(f.person)}, True),
    ]


def test_foreign_ids_in_request_bodies_are_refused_without_names(
    admin: TestClient, world, hostile, foreign: Foreign, factory: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    ids = {
        "ws": world.workspace.id,
        "slug": world.workspace.slug,
        "conversation": hostile["conversation_id"],
        "channel": world.channel.id,
        "campaign": _own_campaign(admin, world.workspace.id),
    }
    with factory() as s:
        audits_before = s.scalar(select(func.count()).select_from(AuditEntry))
        campaigns_before = s.scalar(select(func.count()).select_from(Campaign))
    failures: list[str] = []
    for method, path, body, is_form in requests_with_foreign_ids(ids, foreign):
        r = admin.request(
            method,
            path,
            json=None if is_form else body,
            data=body if is_form else None,
            follow_redirects=False,
        )
        where = f"{method} {path} {body}"
        if r.status_code not in (400, 404, 422):
            failures.append(f"{where}: {r.status_code} {r.text[:160]}")
        leaked = [n for n in foreign.names if n.lower() in r.text.lower()]
        if leaked:
            failures.append(f"{where}: names {leaked}")
    # The saved-view form sends the person back to the inbox with the reason, as it does for any refusal.
    r = admin.post(
        f"/w/{ids['slug']}/inbox/views",
        data={"name": "V", "channel_id": str(foreign.channel)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "view_error" in r.headers["location"], r.status_code
    assert not [n for n in foreign.names if n.lower() in r.headers["location"].lower()]
    assert not failures, "\n".join(failures)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(SavedView)) == 0
        # Nothing stored, nothing audited, the conversation unassigned, no fallback owner.
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audits_before
        assert s.scalar(select(func.count()).select_from(Campaign)) == campaigns_before
        ws = s.get(Workspace, world.workspace.id)
        assert ws is not None and ws.fallback_owner_id is None


def test_launch_missing_never_names_someone_of_another_workspace(
    admin: TestClient, world, factory: sessionmaker[Session], foreign: Foreign
) -> None:  # type: ignore[no-untyped-def]
    """A campaign whose owner was valid when set (an admin) and is then demoted to another workspace's
    agency: the refusal says the owner is not a member, not who they are."""
    from tending.auth.models import Role, User

    ws = world.workspace.id
    with factory() as s:
        helper = User(email="hal@acme.test", name="Hal Nine", password_hash="x", role=Role.admin.value)
        s.add(helper)
        s.commit()
        helper_id = helper.id
    r = admin.post(f"/api/v1/workspaces/{ws}/campaigns", json={"name": "C", "owner_id": helper_id})
    assert r.status_code == 201, r.text
    with factory() as s:
        moved = s.get(User, helper_id)
        assert moved is not None
        moved.role = Role.agency.value
        s.commit()
    detail = admin.get(f"/api/v1/workspaces/{ws}/campaigns/{r.json()['id']}")
    assert detail.status_code == 200
    missing = " ".join(detail.json()["launch_missing"])
    assert "owner" in missing and "Hal" not in missing
