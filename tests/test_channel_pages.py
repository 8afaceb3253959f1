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


def test_a_channel_needing_a_reconnect_says_so_and_takes_new_credentials(client, world, factory) -> None:
    from tending.channel.connection import mark_reconnect_needed
    from tending.channel.crypto import decrypt_credentials
    from tending.channel.models import Channel, ChannelStatus

    with factory() as s:
        channel = s.get(Channel, world.channel.id)
        mark_reconnect_needed(s, channel=channel, reason="fake: the token was refused (401)")
        s.commit()
    _login(client, "mia@acme.test")
    page = client.get("/w/acme/channels")
    assert f'data-testid="reconnect-{world.channel.id}"' in page.text and "reconnect needed" in page.text
    assert "the token was refused (401)" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    bad = client.post(
        f"/w/acme/channels/{world.channel.id}/credentials",
        data={"credentials": "not json", "csrf_token": csrf},
    )
    assert bad.status_code == 400
    r = client.post(
        f"/w/acme/channels/{world.channel.id}/credentials",
        data={"credentials": '{"token": "fresh-secret-value"}', "csrf_token": csrf},
    )
    assert r.status_code == 200 and "reconnect needed" not in r.text and "fresh-secret-value" not in r.text
    with factory() as s:
        channel = s.get(Channel, world.channel.id)
        assert channel.status == ChannelStatus.active and channel.last_error is None
        assert decrypt_credentials(client.app.state.settings, channel.credentials_encrypted) == {
            "token": "fresh-secret-value"
        }
    api = client.put(
        f"/api/v1/workspaces/{world.workspace.id}/channels/{world.channel.id}/credentials",
        json={"credentials": {"token": "api-secret"}},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 200 and api.json()["status"] == "active" and "api-secret" not in api.text
