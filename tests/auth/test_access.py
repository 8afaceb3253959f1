from __future__ import annotations

from fastapi.testclient import TestClient
from tests.conftest import PASSWORD, login


def test_everything_but_health_needs_login(client: TestClient, world) -> None:
    assert client.get("/health").status_code == 200
    assert client.get(f"/api/v1/workspaces/{world.workspace.id}/conversations").status_code == 401
    r = client.get("/w/acme/inbox", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_wrong_password_and_rate_limit(client: TestClient, world) -> None:
    for _ in range(5):
        assert (
            client.post("/api/v1/auth/login", json={"email": "mia@acme.test", "password": "nope"}).status_code
            == 401
        )
    r = client.post("/api/v1/auth/login", json={"email": "mia@acme.test", "password": PASSWORD})
    assert r.status_code == 429


def test_passwords_are_hashed(factory, world) -> None:
    from tending.auth.models import User

    with factory() as s:
        u = s.get(User, world.member.id)
        assert PASSWORD not in u.password_hash and u.password_hash.startswith("$argon2")


def test_agency_cannot_read_another_workspace(client: TestClient, world) -> None:
    login(client, "otto@agency.test")
    assert client.get(f"/api/v1/workspaces/{world.workspace.id}/conversations").status_code == 404
    assert client.get(f"/api/v1/workspaces/{world.workspace.id}/channels").status_code == 404
    assert client.get(f"/api/v1/workspaces/{world.other_workspace.id}/conversations").status_code == 200
    assert [w["slug"] for w in client.get("/api/v1/workspaces").json()] == ["other"]
    assert client.get("/w/acme/inbox").status_code == 404


def test_admin_sees_all_and_agency_cannot_manage_channels(client: TestClient, world) -> None:
    login(client, "admin@acme.test")
    assert {w["slug"] for w in client.get("/api/v1/workspaces").json()} == {"acme", "other"}
    client.post("/api/v1/auth/logout")
    client.cookies.clear()
    login(client, "ada@agency.test")
    r = client.post(
        f"/api/v1/workspaces/{world.workspace.id}/channels",
        json={"network": "fake", "name": "x", "external_id": "y"},
    )
    assert r.status_code == 403


def test_channel_credentials_never_returned(client: TestClient, world) -> None:
    login(client, "mia@acme.test")
    body = client.get(f"/api/v1/workspaces/{world.workspace.id}/channels").text
    assert "s3cret-token-value" not in body and "credentials_encrypted" not in body
    assert '"has_credentials":true' in body


def test_api_token_scoped_and_revocable(client: TestClient, world) -> None:
    login(client, "admin@acme.test")
    made = client.post(f"/api/v1/workspaces/{world.workspace.id}/tokens", json={"name": "ci"}).json()
    client.cookies.clear()
    del client.headers["X-CSRF-Token"]
    auth = {"Authorization": f"Bearer {made['token']}"}
    assert (
        client.get(f"/api/v1/workspaces/{world.workspace.id}/conversations", headers=auth).status_code == 200
    )
    # an admin's token still reaches only its own workspace
    assert (
        client.get(f"/api/v1/workspaces/{world.other_workspace.id}/conversations", headers=auth).status_code
        == 404
    )
    login(client, "admin@acme.test")
    assert client.delete(f"/api/v1/workspaces/{world.workspace.id}/tokens/{made['id']}").status_code == 200
    client.cookies.clear()
    assert (
        client.get(f"/api/v1/workspaces/{world.workspace.id}/conversations", headers=auth).status_code == 401
    )


def test_token_of_a_removed_member_reaches_nothing(client: TestClient, world, factory) -> None:
    from sqlalchemy import delete

    from tending.auth.models import User, WorkspaceMembership
    from tending.auth.service import create_api_token

    with factory() as s:
        member = s.get(User, world.member.id)
        _, token = create_api_token(s, user=member, workspace_id=world.workspace.id, name="bot")
        s.commit()
    url = f"/api/v1/workspaces/{world.workspace.id}/conversations"
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=auth).status_code == 200
    with factory() as s:
        s.execute(delete(WorkspaceMembership).where(WorkspaceMembership.user_id == world.member.id))
        s.commit()
    assert client.get(url, headers=auth).status_code == 404


def test_token_last_use_is_written_at_most_once_a_minute(world, factory) -> None:
    from datetime import timedelta

    from tending.auth.models import ApiToken, User
    from tending.auth.service import create_api_token, resolve_api_token
    from tending.database.core import utcnow

    with factory() as s:
        row, token = create_api_token(
            s, user=s.get(User, world.member.id), workspace_id=world.workspace.id, name="bot"
        )
        s.commit()
        token_id = row.id

    def use() -> None:
        with factory() as s:
            assert resolve_api_token(s, token=token) is not None
            s.commit()

    def last_used():
        with factory() as s:
            return s.get(ApiToken, token_id).last_used_at

    use()
    first = last_used()
    assert first is not None
    use()
    assert last_used() == first  # within the minute: no write
    with factory() as s:
        s.get(ApiToken, token_id).last_used_at = utcnow() - timedelta(minutes=2)
        s.commit()
    use()
    assert last_used() >= utcnow() - timedelta(minutes=1)  # older than the minute: written again
