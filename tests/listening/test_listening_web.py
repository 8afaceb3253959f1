from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import World, demo_file, login

from tending.channel.models import Channel
from tending.config import Settings
from tending.listening import service
from tending.listening.models import ListeningQuery, ListeningResult


def _heard(factory: sessionmaker[Session], world: World, settings: Settings) -> None:
    now = datetime.now(UTC)
    posts = [
        {
            "id": f"pub-{n}",
            "kind": "post",
            "text": text,
            "created_at": (now - timedelta(hours=n)).isoformat(),
            "author": {"id": f"p{n}", "handle": f"p{n}", "name": f"P {n}"},
        }
        for n, text in enumerate(["the lumen cold brew recall is scary", "lumen tastes great", "weather"], 1)
    ]
    demo_file(settings, "listen.jsonl", "\n".join(json.dumps(p) for p in posts))
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert ch is not None
        ch.config = {**ch.config, "listening_source": "listen.jsonl"}
        s.commit()


def test_api_creates_a_query_and_lists_results_and_quotas(
    factory: sessionmaker[Session], world: World, settings: Settings, client: TestClient
) -> None:
    _heard(factory, world, settings)
    login(client, "mia@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}/listening"
    made = client.post(f"{base}/queries", json={"name": "Lumen", "terms": ["lumen"], "networks": ["fake"]})
    assert made.status_code == 201, made.text
    refused = client.post(f"{base}/queries", json={"name": "x", "terms": ["lumen"], "networks": ["facebook"]})
    assert refused.status_code == 400 and "no search on facebook" in refused.text
    service.run_query(factory, settings=settings, query_id=made.json()["id"])
    results = client.get(f"{base}/results").json()
    assert results["total"] == 2
    assert {r["external_id"] for r in results["items"]} == {"pub-1", "pub-2"}
    quotas = {q["network"]: q for q in client.get(f"{base}/quotas").json()}
    assert quotas["fake"]["spent"] == 1
    first = results["items"][0]["id"]
    moved = client.post(f"{base}/results/{first}/answer")
    assert moved.status_code == 200, moved.text
    conv = moved.json()["conversation_id"]
    assert client.get(f"/api/v1/workspaces/{world.workspace.id}/conversations/{conv}").status_code == 200
    assert client.get(f"{base}/results").json()["total"] == 1  # the moved post left the new ones
    other = client.get(f"/api/v1/workspaces/{world.other_workspace.id}/listening/results")
    assert other.status_code == 404


def test_page_shows_results_chart_and_quota_and_answer_this_opens_the_thread(
    factory: sessionmaker[Session], world: World, settings: Settings, client: TestClient
) -> None:
    _heard(factory, world, settings)
    login(client, "mia@acme.test")
    page = client.get("/w/acme/listening")
    assert page.status_code == 200 and "No listening query yet" in page.text
    token = client.headers["X-CSRF-Token"]
    made = client.post(
        "/w/acme/listening/queries",
        data={"csrf_token": token, "name": "Recall", "terms": "lumen", "networks": ["fake"]},
        follow_redirects=False,
    )
    assert made.status_code == 303
    with factory() as s:
        qid = s.scalars(select(ListeningQuery.id)).one()
    service.run_query(factory, settings=settings, query_id=qid)
    page = client.get(f"/w/acme/listening?query={qid}")
    assert "the lumen cold brew recall is scary" in page.text and 'data-report-chart="bar"' in page.text
    assert "1 / 600 requests" in page.text
    with factory() as s:
        result = s.scalars(select(ListeningResult).where(ListeningResult.external_id == "pub-1")).one()
    moved = client.post(
        f"/w/acme/listening/results/{result.id}/answer", data={"csrf_token": token}, follow_redirects=False
    )
    assert moved.status_code == 303 and "/w/acme/inbox/" in moved.headers["location"]
    thread = client.get(moved.headers["location"])
    assert "the lumen cold brew recall is scary" in thread.text
