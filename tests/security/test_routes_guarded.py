"""Every route of the app, enumerated from the app itself, is guarded: no login → 401 or the login
page; a user of another workspace → 404; unsafe cookie requests without the CSRF token → 403.

New routes are covered automatically; a route that must be public has to be added to PUBLIC below."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.conftest import PASSWORD, login
from tests.security.conftest import fill
from tests.security.routes import Endpoint, all_endpoints

PUBLIC = {
    ("GET", "/health"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/static"),
    ("GET", "/api/docs"),
    ("GET", "/api/openapi.json"),
    ("GET", "/docs/oauth2-redirect"),
    # Logging out without a session changes nothing.
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/logout"),
    # Meta calls its webhook without a login: the verify token and the app secret's signature guard it
    # (an unsigned or forged call is refused, see tests/webhooks).
    ("GET", "/api/v1/webhooks/meta"),
    ("POST", "/api/v1/webhooks/meta"),
    # A helpdesk reports a case's status without a login: the workspace's signing secret guards it (an
    # unsigned or forged report is refused, see tests/helpdesk).
    ("POST", "/api/v1/helpdesk/{workspace_id}/status"),
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _guarded(app) -> list[Endpoint]:
    eps = [e for e in all_endpoints(app) if (e.method, e.path) not in PUBLIC]
    assert len(eps) > 20, "route enumeration found suspiciously few routes"
    return eps


def _call(client: TestClient, ep: Endpoint, path: str, *, headers: dict[str, str] | None = None):
    kwargs: dict[str, object] = {"headers": headers or {}, "follow_redirects": False}
    if ep.method in UNSAFE:
        if ep.is_api:
            kwargs["json"] = {}
        else:
            kwargs["data"] = {"text": "x"}
    return client.request(ep.method, path, **kwargs)  # type: ignore[arg-type]


def _leaks(client: TestClient, ep: Endpoint, ids: dict[str, object], status: int, **kw: object) -> bool:
    """A foreign workspace must look like a missing one: 404, or (body checked first) the same answer
    as for a workspace id / slug that does not exist."""
    if status == 404:
        return False
    if status != 422:
        return True
    missing = {**ids, "workspace_id": 987654, "slug": "no-such-workspace"}
    return _call(client, ep, fill(ep.path, missing), **kw).status_code != status  # type: ignore[arg-type]


def test_anonymous_gets_401_or_login_redirect_everywhere(app, client: TestClient, world, hostile) -> None:
    failures = []
    for ep in _guarded(app):
        r = _call(client, ep, fill(ep.path, hostile))
        if ep.is_api or ep.path.startswith("/api/"):
            ok = r.status_code == 401
        else:
            ok = r.status_code in (302, 303, 307) and r.headers.get("location", "").startswith("/login")
            if ep.method in UNSAFE:
                # An anonymous form post may equally be refused before the redirect.
                ok = ok or r.status_code in (401, 403)
        if not ok:
            failures.append(f"{ep.method} {ep.path} → {r.status_code}")
    assert not failures, "\n".join(failures)


def test_agency_of_another_workspace_gets_404_on_every_workspace_route(
    app, client: TestClient, world, hostile
) -> None:
    login(client, world.outsider_agency.email)
    scoped = [e for e in _guarded(app) if "{workspace_id}" in e.path or "{slug}" in e.path]
    assert scoped
    failures = []
    for ep in scoped:
        r = _call(client, ep, fill(ep.path, hostile))
        if _leaks(client, ep, hostile, r.status_code):
            failures.append(f"{ep.method} {ep.path} → {r.status_code}")
    assert not failures, "\n".join(failures)


def test_api_token_of_another_workspace_gets_404(app, client: TestClient, world, hostile) -> None:
    login(client, world.admin.email)
    token = client.post(
        f"/api/v1/workspaces/{world.other_workspace.id}/tokens", json={"name": "other"}
    ).json()["token"]
    anon = TestClient(app)
    failures = []
    for ep in _guarded(app):
        if "{workspace_id}" not in ep.path:
            continue
        auth = {"Authorization": f"Bearer {token}"}
        r = _call(anon, ep, fill(ep.path, hostile), headers=auth)
        if _leaks(anon, ep, hostile, r.status_code, headers=auth):
            failures.append(f"{ep.method} {ep.path} → {r.status_code}")
    assert not failures, "\n".join(failures)


def test_unsafe_cookie_requests_without_csrf_token_are_refused(
    app, client: TestClient, world, hostile
) -> None:
    r = client.post("/api/v1/auth/login", json={"email": world.admin.email, "password": PASSWORD})
    assert r.status_code == 200
    failures = []
    for ep in _guarded(app):
        if ep.method not in UNSAFE:
            continue
        r = _call(client, ep, fill(ep.path, hostile))
        if r.status_code != 403:
            failures.append(f"{ep.method} {ep.path} → {r.status_code}")
        elif "csrf" not in r.text.lower():
            failures.append(f"{ep.method} {ep.path} → 403 for another reason: {r.text[:80]}")
    assert not failures, "\n".join(failures)
    # Still logged in: nothing above logged the session out.
    assert client.get("/api/v1/me").status_code == 200


def test_member_cannot_do_admin_only_things(client: TestClient, world, hostile) -> None:
    login(client, world.member.email)
    slug = world.workspace.slug
    r = client.post(
        f"/w/{slug}/team/fallback",
        data={"user_id": str(world.member.id), "csrf_token": client.headers["X-CSRF-Token"]},
        follow_redirects=False,
    )
    assert r.status_code in (403, 404), r.status_code
    r = client.post(
        f"/w/{slug}/team/{world.agency.id}",
        data={"timezone": "UTC", "csrf_token": client.headers["X-CSRF-Token"]},
        follow_redirects=False,
    )
    assert r.status_code in (403, 404), r.status_code


def test_agency_cannot_manage_channels(client: TestClient, world) -> None:
    login(client, world.agency.email)
    r = client.post(
        f"/api/v1/workspaces/{world.workspace.id}/channels",
        json={"network": "fake", "name": "Sneaky", "external_id": "sneaky", "config": {}},
    )
    assert r.status_code == 403
