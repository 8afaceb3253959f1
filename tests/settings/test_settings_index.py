"""Every setting of the desk is two clicks away: the main navigation, then the settings index."""

from __future__ import annotations

import re

from tests.conftest import login


def test_every_section_is_two_clicks_from_any_page(client, world) -> None:
    login(client, world.member.email)
    start = client.get("/w/acme/channels")
    assert 'href="/w/acme/settings"' in start.text
    index = client.get("/w/acme/settings")
    assert index.status_code == 200
    links = re.findall(r'<h2 id="h-\w+"><a href="([^"]+)"', index.text)
    assert links == [
        "/w/acme/channels",
        "/w/acme/channels#cadence",
        "/w/acme/settings/routing",
        "/w/acme/settings/sla",
        "/w/acme/settings/alerts",
        "/w/acme/settings/answers",
    ]
    for href in links:
        page = client.get(href.split("#")[0])
        assert page.status_code == 200, href
        assert 'aria-current="page">Settings' in page.text or href.startswith("/w/acme/channels")
    assert 'id="cadence"' in client.get("/w/acme/channels").text


def test_settings_pages_need_login_and_hide_other_workspaces(client, world) -> None:
    r = client.get("/w/acme/settings", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    login(client, world.outsider_agency.email)
    for path in ("/w/acme/settings", "/w/acme/settings/routing", "/w/acme/settings/answers"):
        assert client.get(path).status_code == 404
