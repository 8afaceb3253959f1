"""Errors a person can reach are pages in the dashboard's layout; the API keeps answering JSON."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient
from tests.conftest import login

from tending.errors import Conflict


def test_unknown_page_is_a_404_page_in_the_layout(client: TestClient, world) -> None:
    login(client, "mia@acme.test")
    r = client.get("/w/acme/campaigns/987654")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert 'data-testid="error-page"' in r.text and "Not found" in r.text
    # The layout: top bar with the workspace's navigation and the person.
    assert 'href="/w/acme/inbox"' in r.text and "Mia" in r.text


def test_api_errors_stay_json(client: TestClient, world) -> None:
    login(client, "mia@acme.test")
    r = client.get(f"/api/v1/workspaces/{world.workspace.id}/campaigns/987654")
    assert r.status_code == 404 and r.json() == {"detail": "no campaign 987654"}


def test_foreign_workspace_page_is_a_404_page_without_its_navigation(client: TestClient, world) -> None:
    login(client, "ada@agency.test")
    r = client.get("/w/other/campaigns")
    assert r.status_code == 404 and 'data-testid="error-page"' in r.text
    assert "/w/other/inbox" not in r.text


def test_setting_refused_is_400_json_for_the_api_and_a_page_for_the_form(client: TestClient, world) -> None:
    login(client, "admin@acme.test")
    ws = world.workspace.id
    api = client.put(f"/api/v1/workspaces/{ws}/fallback-owner", json={"user_id": world.outsider_agency.id})
    assert api.status_code == 400 and "no such person on this workspace" in api.json()["detail"]
    page = client.post("/w/acme/settings/fallback-owner", data={"user_id": str(world.outsider_agency.id)})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "no such person on this workspace" in page.text and 'data-status="400"' in page.text


def test_domain_conflict_and_crash_are_pages(app, world) -> None:
    router = APIRouter()

    @router.get("/w/{slug}/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    @router.get("/w/{slug}/busy")
    def busy() -> None:
        raise Conflict("the post is being published")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        login(client, "mia@acme.test")
        crash = client.get("/w/acme/boom")
        assert crash.status_code == 500 and 'data-status="500"' in crash.text and "bug" not in crash.text
        conflict = client.get("/w/acme/busy")
        assert conflict.status_code == 409 and "the post is being published" in conflict.text


def test_bad_form_input_is_a_400_page_naming_the_field(client: TestClient, world) -> None:
    login(client, "admin@acme.test")
    r = client.post("/w/acme/campaigns", data={"name": "Spring", "ends_at": "31/12/2026"})
    assert r.status_code == 400 and "ends_at" in r.text and 'data-testid="error-page"' in r.text
    r = client.post(
        "/w/acme/campaigns", data={"name": "Spring", "channel_ids": [str(world.other_channel.id)]}
    )
    assert r.status_code == 400 and "no such channel on this workspace" in r.text
