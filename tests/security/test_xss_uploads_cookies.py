"""Hostile message content is escaped on every page; only http(s) URLs become links; uploads are
bounded; the session cookie carries HttpOnly, SameSite=Lax and (when configured) Secure."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.conftest import PASSWORD, login
from tests.security.conftest import fill
from tests.security.routes import all_endpoints

from tending.app import create_app
from tending.templating import safe_link


def test_hostile_message_is_escaped_on_every_page(app, client: TestClient, world, hostile) -> None:
    login(client, world.admin.email)
    pages = [
        e
        for e in all_endpoints(app)
        if e.method == "GET" and not e.path.startswith(("/api", "/static", "/docs", "/health"))
    ]
    shown_on = []
    for ep in pages:
        r = client.get(fill(ep.path, hostile), follow_redirects=True)
        assert r.status_code < 500, f"{ep.path} → {r.status_code}"
        body = r.text
        assert '<script>alert("xss")' not in body, ep.path
        assert "<script>evil()" not in body, ep.path
        assert not re.search(r"<img[^>]*onerror", body, re.I), ep.path
        assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", body, re.I), ep.path
        if "&lt;script&gt;alert(" in body:
            shown_on.append(ep.path)
    # The test means something only if the message was shown somewhere (escaped).
    assert "/w/{slug}/inbox/{conversation_id}" in shown_on, shown_on


def test_http_links_still_render_in_the_thread(client: TestClient, world, hostile, factory) -> None:
    from tending.inbox.models import Message

    with factory() as s:
        msg = s.query(Message).one()
        msg.url = "https://fake.example/p/1"
        s.commit()
    login(client, world.admin.email)
    body = client.get(f"/w/{world.workspace.slug}/inbox/{hostile['conversation_id']}").text
    assert 'href="https://fake.example/p/1"' in body


def test_safe_link_accepts_only_http_and_https() -> None:
    assert safe_link("https://x.example/a?b=1") == "https://x.example/a?b=1"
    assert safe_link("HTTP://x.example") == "HTTP://x.example"
    for bad in [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "//evil.example",
        "/relative",
        "",
        None,
    ]:
        assert safe_link(bad) is None, bad


def test_import_upload_larger_than_allowed_is_413(settings, engine, world) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 1000})
    with TestClient(create_app(small)) as c:
        login(c, world.admin.email)
        url = f"/api/v1/workspaces/{world.workspace.id}/channels/{world.channel.id}/import"
        r = c.post(url, files={"file": ("big.jsonl", b"x" * 5000, "application/x-ndjson")})
        assert r.status_code == 413
        r = c.post(url, files={"file": ("ok.jsonl", b"", "application/x-ndjson")})
        assert r.status_code != 413


def _session_cookie_header(client: TestClient, email: str) -> str:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200
    headers = [v for k, v in r.headers.multi_items() if k.lower() == "set-cookie"]
    found = [h for h in headers if h.startswith("tending_session=")]
    assert found, headers
    return found[0].lower()


def test_session_cookie_flags(settings, engine, world) -> None:
    with TestClient(create_app(settings)) as c:
        header = _session_cookie_header(c, world.admin.email)
        assert "httponly" in header and "samesite=lax" in header and "secure" not in header
    secure = settings.model_copy(update={"secure_cookies": True})
    with TestClient(create_app(secure), base_url="https://testserver") as c:
        header = _session_cookie_header(c, world.admin.email)
        assert "httponly" in header and "samesite=lax" in header and "; secure" in header


def test_passwords_are_stored_as_argon2(factory, world) -> None:
    from tending.auth.models import User

    with factory() as s:
        user = s.get(User, world.member.id)
        assert user is not None
        stored = next(v for k, v in vars(user).items() if "password" in k and isinstance(v, str))
        assert stored.startswith("$argon2") and PASSWORD not in stored


def test_security_headers_on_pages_api_errors_and_static(client: TestClient, world) -> None:
    for path in ("/health", "/login", "/api/v1/workspaces/1/conversations", "/static/app.css", "/nowhere"):
        r = client.get(path, follow_redirects=False)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["referrer-policy"] == "same-origin", path
        assert "default-src 'self'" in r.headers["content-security-policy"], path
        assert r.headers.get_list("x-frame-options") == ["DENY"], path  # added once
