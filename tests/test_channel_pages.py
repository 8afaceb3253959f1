from __future__ import annotations

import re

from tests.conftest import PASSWORD


def _login(client, email):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return token


def test_channels_page_health_cadence_and_connect(client, world) -> None:
    _login(client, "mia@acme.test")
    page = client.get("/w/acme/channels")
    assert page.status_code == 200 and "Acme on Fake" in page.text and "s3cret-token-value" not in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        f"/w/acme/channels/{world.channel.id}/cadence",
        data={"posts_per_week": "4", "max_days_silent": "3", "reply_within_hours": "6", "csrf_token": csrf},
    )
    assert r.status_code == 200 and "at risk" in r.text and "0 posts in the last 7 days, target 4" in r.text
    r = client.post(
        "/w/acme/channels",
        data={
            "network": "fake",
            "name": "Second",
            "external_id": "second",
            "credentials": '{"token": "very-secret-value"}',
            "csrf_token": csrf,
        },
    )
    assert r.status_code == 200 and "Second" in r.text and "very-secret-value" not in r.text
    bad = client.post(
        "/w/acme/channels", data={"network": "nope", "name": "x", "external_id": "y", "csrf_token": csrf}
    )
    assert bad.status_code == 400 and "no connector" in bad.text


def test_agency_sees_channels_but_cannot_manage(client, world) -> None:
    csrf = _login(client, "ada@agency.test")
    page = client.get("/w/acme/channels")
    assert page.status_code == 200 and "Connect a channel" not in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/w/acme/channels", data={"network": "fake", "name": "x", "external_id": "y", "csrf_token": csrf}
    )
    assert r.status_code == 403
