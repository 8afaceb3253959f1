"""Item 6: a session ends on the server. Logout, deactivation and a new password end it at once, from
the dashboard or the command line; a deactivated person's API tokens are revoked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import PASSWORD, login
from typer.testing import CliRunner

from tending.app import create_app
from tending.audit.models import AuditEntry
from tending.auth.models import ApiToken, LoginSession, User
from tending.cli import app as cli
from tending.config import Settings, get_settings


def _replay(client: TestClient, cookie: str) -> int:
    client.cookies.clear()
    client.cookies.set("tending_session", cookie)
    return client.get("/api/v1/me").status_code


def test_replayed_cookie_after_logout_is_refused(client: TestClient, world, factory) -> None:
    login(client, "mia@acme.test")
    cookie = client.cookies["tending_session"]
    assert client.post("/api/v1/auth/logout").status_code == 200
    assert _replay(client, cookie) == 401
    with factory() as s:
        assert s.scalars(select(LoginSession)).all() == []


def test_dashboard_logout_ends_the_session_too(client: TestClient, world) -> None:
    login(client, "mia@acme.test")
    cookie = client.cookies["tending_session"]
    page = client.get("/w/acme/team").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert _replay(client, cookie) == 401


def _admin_page(app) -> tuple[TestClient, str]:
    admin = TestClient(app)
    login(admin, "admin@acme.test")
    page = admin.get("/admin/accounts")
    assert page.status_code == 200 and "mia@acme.test" in page.text
    return admin, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_admin_page_deactivates_at_once_and_revokes_tokens(app, world, factory) -> None:
    mia = login(TestClient(app), "mia@acme.test")
    token = mia.post(f"/api/v1/workspaces/{world.workspace.id}/tokens", json={"name": "zapier"}).json()[
        "token"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    assert mia.get("/api/v1/me").status_code == 200
    admin, csrf = _admin_page(app)
    r = admin.post(f"/admin/accounts/{world.member.id}/deactivate", data={"csrf_token": csrf})
    assert r.status_code == 200 and "deactivated" in r.text
    assert mia.get("/api/v1/me").status_code == 401
    assert TestClient(app).get("/api/v1/me", headers=bearer).status_code == 401
    again = TestClient(app).post("/api/v1/auth/login", json={"email": "mia@acme.test", "password": PASSWORD})
    assert again.status_code == 401
    # Reactivated, the person logs in again; the token stays revoked.
    assert (
        admin.post(f"/admin/accounts/{world.member.id}/reactivate", data={"csrf_token": csrf}).status_code
        == 200
    )
    assert TestClient(app).get("/api/v1/me", headers=bearer).status_code == 401
    login(TestClient(app), "mia@acme.test")
    with factory() as s:
        assert all(t.revoked_at is not None for t in s.scalars(select(ApiToken)))
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert "user.deactivate" in actions and "user.reactivate" in actions


def test_admin_page_resets_a_password_and_ends_sessions(app, world) -> None:
    mia = login(TestClient(app), "mia@acme.test")
    admin, csrf = _admin_page(app)
    short = admin.post(
        f"/admin/accounts/{world.member.id}/password", data={"password": "short", "csrf_token": csrf}
    )
    assert short.status_code == 400
    ok = admin.post(
        f"/admin/accounts/{world.member.id}/password",
        data={"password": "a brand new pass", "csrf_token": csrf},
    )
    assert ok.status_code == 200
    assert mia.get("/api/v1/me").status_code == 401
    assert (
        TestClient(app)
        .post("/api/v1/auth/login", json={"email": "mia@acme.test", "password": PASSWORD})
        .status_code
        == 401
    )
    login(TestClient(app), "mia@acme.test", "a brand new pass")
    # The admin's own session is untouched, and an admin cannot lock themself out.
    assert admin.get("/api/v1/me").status_code == 200
    assert (
        admin.post(f"/admin/accounts/{world.admin.id}/deactivate", data={"csrf_token": csrf}).status_code
        == 400
    )


def test_only_admins_reach_the_accounts_page(app, world) -> None:
    mia = login(TestClient(app), "mia@acme.test")
    assert mia.get("/admin/accounts").status_code == 403
    token = mia.headers["X-CSRF-Token"]
    r = mia.post(f"/admin/accounts/{world.admin.id}/deactivate", data={"csrf_token": token})
    assert r.status_code == 403
    # Nor an admin's API token: it is scoped to one workspace, and accounts belong to none.
    admin = login(TestClient(app), "admin@acme.test")
    api = admin.post(f"/api/v1/workspaces/{world.workspace.id}/tokens", json={"name": "ci"}).json()["token"]
    bearer = {"Authorization": f"Bearer {api}"}
    r = TestClient(app).post(f"/admin/accounts/{world.member.id}/deactivate", headers=bearer)
    assert r.status_code == 403


@pytest.fixture()
def cli_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh embedded install that the CLI migrates and the app serves."""
    monkeypatch.delenv("TENDING_DATABASE_URL", raising=False)
    monkeypatch.setenv("TENDING_DATA_DIR", str(tmp_path / "cli-data"))
    get_settings.cache_clear()
    yield Settings(data_dir=tmp_path / "cli-data", secret_key="cli-test-secret-key-0123456789-abcdef")
    get_settings.cache_clear()


def test_cli_deactivates_and_resets_passwords(cli_settings: Settings) -> None:
    runner = CliRunner()
    made = runner.invoke(
        cli, ["user", "create", "--email", "ops@acme.test", "--name", "Ops"], input=PASSWORD + "\n"
    )
    assert made.exit_code == 0, made.output
    app = create_app(cli_settings)
    ops = login(TestClient(app), "ops@acme.test")

    reset = runner.invoke(cli, ["user", "reset-password", "ops@acme.test"], input="the next password\n")
    assert reset.exit_code == 0, reset.output
    assert ops.get("/api/v1/me").status_code == 401
    ops = login(TestClient(app), "ops@acme.test", "the next password")

    gone = runner.invoke(cli, ["user", "deactivate", "ops@acme.test"])
    assert gone.exit_code == 0 and "deactivated" in gone.output
    assert ops.get("/api/v1/me").status_code == 401
    missing = runner.invoke(cli, ["user", "deactivate", "nobody@acme.test"])
    assert missing.exit_code != 0 and "nobody@acme.test" in missing.output
    from sqlalchemy.orm import Session

    with Session(app.state.engine) as s:
        assert s.scalar(select(User.active).where(User.email == "ops@acme.test")) is False
