"""Item 10: only an admin or the token's owner revokes an API token."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login

from tending.audit.models import AuditEntry
from tending.auth.models import ApiToken


def _token(app, email: str, workspace_id: int) -> tuple[int, str]:
    c = login(TestClient(app), email)
    body = c.post(f"/api/v1/workspaces/{workspace_id}/tokens", json={"name": f"{email} script"}).json()
    return body["id"], body["token"]


def test_member_cannot_revoke_the_admins_token(app, world, factory) -> None:
    ws = world.workspace.id
    admin_id, admin_token = _token(app, "admin@acme.test", ws)
    agency_id, _ = _token(app, "ada@agency.test", ws)
    mia = login(TestClient(app), "mia@acme.test")
    for token_id in (admin_id, agency_id):
        assert mia.delete(f"/api/v1/workspaces/{ws}/tokens/{token_id}").status_code == 403
    # Nor with an API token of her own.
    _, mia_token = _token(app, "mia@acme.test", ws)
    bearer = {"Authorization": f"Bearer {mia_token}"}
    assert (
        TestClient(app).delete(f"/api/v1/workspaces/{ws}/tokens/{admin_id}", headers=bearer).status_code
        == 403
    )
    assert (
        TestClient(app).get("/api/v1/me", headers={"Authorization": f"Bearer {admin_token}"}).status_code
        == 200
    )
    with factory() as s:
        assert all(t.revoked_at is None for t in s.scalars(select(ApiToken)))


def test_owner_and_admin_may_revoke(app, world, factory) -> None:
    ws = world.workspace.id
    mia_id, mia_token = _token(app, "mia@acme.test", ws)
    ada_id, _ = _token(app, "ada@agency.test", ws)
    mia = login(TestClient(app), "mia@acme.test")
    assert mia.delete(f"/api/v1/workspaces/{ws}/tokens/{mia_id}").status_code == 200
    assert (
        TestClient(app).get("/api/v1/me", headers={"Authorization": f"Bearer {mia_token}"}).status_code == 401
    )
    admin = login(TestClient(app), "admin@acme.test")
    assert admin.delete(f"/api/v1/workspaces/{ws}/tokens/{ada_id}").status_code == 200
    assert admin.delete(f"/api/v1/workspaces/{ws}/tokens/999999").status_code == 404
    with factory() as s:
        revokes = s.scalars(select(AuditEntry).where(AuditEntry.action == "api_token.revoke")).all()
        assert sorted(e.target_id for e in revokes) == sorted([mia_id, ada_id])
