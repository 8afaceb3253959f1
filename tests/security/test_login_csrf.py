"""Item 11: login CSRF. A login form posted from another site, or without the token the login page put in
this browser's session, logs nobody in."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from tests.conftest import PASSWORD


def _form_token(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)


def _logged_in(client: TestClient) -> bool:
    return client.get("/api/v1/me").status_code == 200


def test_login_form_without_its_token_is_refused(client: TestClient, world) -> None:
    form = {"email": "mia@acme.test", "password": PASSWORD}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 403
    assert (
        client.post("/login", data={**form, "csrf_token": "forged"}, follow_redirects=False).status_code
        == 403
    )
    assert not _logged_in(client)


def test_login_form_from_another_origin_is_refused(client: TestClient, world) -> None:
    form = {"email": "mia@acme.test", "password": PASSWORD, "csrf_token": _form_token(client)}
    for header in (
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/login"},
        {"Origin": "null"},
    ):
        assert client.post("/login", data=form, headers=header, follow_redirects=False).status_code == 403
    assert not _logged_in(client)
    r = client.post("/login", data=form, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303 and _logged_in(client)


def test_json_login_from_another_origin_is_refused(client: TestClient, world) -> None:
    body = {"email": "mia@acme.test", "password": PASSWORD}
    assert (
        client.post("/api/v1/auth/login", json=body, headers={"Origin": "https://evil.example"}).status_code
        == 403
    )
    assert not _logged_in(client)
    # A cross-site form can send text/plain without a preflight: it is not JSON, so nothing logs in.
    plain = client.post(
        "/api/v1/auth/login", content=json.dumps(body), headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 422 and not _logged_in(client)
    # Behind a reverse proxy that forwards the public host.
    proxied = {"Origin": "https://desk.acme.example", "X-Forwarded-Host": "desk.acme.example"}
    assert client.post("/api/v1/auth/login", json=body, headers=proxied).status_code == 200
