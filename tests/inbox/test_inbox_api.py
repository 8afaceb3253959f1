from __future__ import annotations

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login
from tests.factories import record

from tending.channel.models import Channel
from tending.inbox.models import Message
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items


def _seed(factory, world, recs):
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        ingest_items(s, channel=ch, items=[item_from_record(r, raw=orjson.dumps(r).decode()) for r in recs])
        s.commit()


def test_list_filter_search_and_paginate(client: TestClient, factory, world) -> None:
    recs = [
        record(i, text=f"question {i} about the espresso machine" if i % 3 == 0 else f"hello {i}")
        for i in range(30)
    ]
    _seed(factory, world, recs)
    login(client, "mia@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}/conversations"
    page1 = client.get(base, params={"limit": 12}).json()
    assert len(page1["items"]) == 12 and page1["next_cursor"]
    times = [i["last_message_at"] for i in page1["items"]]
    assert times == sorted(times, reverse=True)
    page2 = client.get(base, params={"limit": 12, "cursor": page1["next_cursor"]}).json()
    page3 = client.get(base, params={"limit": 12, "cursor": page2["next_cursor"]}).json()
    ids = [i["id"] for p in (page1, page2, page3) for i in p["items"]]
    assert len(ids) == 30 and len(set(ids)) == 30 and page3["next_cursor"] is None
    found = client.get(base, params={"q": "espresso"}).json()["items"]
    assert len(found) == 10
    assert client.get(base, params={"q": 'espresso " OR *'}).status_code == 200  # hostile search syntax
    assert client.get(base, params={"channel_id": world.other_channel.id}).json()["items"] == []
    assert len(client.get(base, params={"status": "open"}).json()["items"]) == 30


def test_thread_reply_assign_close_with_audit(client: TestClient, factory, world) -> None:
    _seed(
        factory,
        world,
        [record(1, kind="post", direction="outbound"), record(2, parent="m1", text="Where is my order?")],
    )
    login(client, "mia@acme.test")
    ws = world.workspace.id
    conv = client.get(f"/api/v1/workspaces/{ws}/conversations").json()["items"][0]
    thread = client.get(f"/api/v1/workspaces/{ws}/conversations/{conv['id']}").json()
    assert [m["text"] for m in thread["messages"]][-1] == "Where is my order?"
    r = client.post(
        f"/api/v1/workspaces/{ws}/conversations/{conv['id']}/reply", json={"text": "It ships today!"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["direction"] == "outbound" and r.json()["external_id"].startswith("fake-reply-")
    after = client.get(f"/api/v1/workspaces/{ws}/conversations/{conv['id']}").json()["conversation"]
    assert after["status"] == "answered" and after["needs_reply"] is False and after["first_response_at"]
    r = client.post(
        f"/api/v1/workspaces/{ws}/conversations/{conv['id']}/assign", json={"assignee_id": world.agency.id}
    )
    assert r.json()["assignee_id"] == world.agency.id
    r = client.post(
        f"/api/v1/workspaces/{ws}/conversations/{conv['id']}/assign",
        json={"assignee_id": world.outsider_agency.id},
    )
    assert r.status_code == 400
    r = client.post(f"/api/v1/workspaces/{ws}/conversations/{conv['id']}/status", json={"status": "closed"})
    assert r.json()["status"] == "closed" and r.json()["resolved_at"]
    audit = client.get(f"/api/v1/workspaces/{ws}/audit").json()
    assert [a["action"] for a in audit][:3] == [
        "conversation.closed",
        "conversation.assign",
        "conversation.reply",
    ]
    assert all(a["actor_id"] == world.member.id for a in audit[:3])
    with factory() as s:
        sent = s.scalar(select(Message).where(Message.direction == "outbound", Message.kind == "reply"))
        assert sent.sent_by_id == world.member.id


def test_unsafe_requests_need_csrf_with_cookie_sessions(client: TestClient, factory, world) -> None:
    _seed(factory, world, [record(1)])
    login(client, "mia@acme.test")
    ws = world.workspace.id
    conv = client.get(f"/api/v1/workspaces/{ws}/conversations").json()["items"][0]
    del client.headers["X-CSRF-Token"]
    r = client.post(f"/api/v1/workspaces/{ws}/conversations/{conv['id']}/status", json={"status": "closed"})
    assert r.status_code == 403
