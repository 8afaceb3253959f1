from __future__ import annotations

import orjson

from tending.channel.models import Channel
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items
from tests.conftest import login
from tests.factories import record


def test_agency_reply_on_sensitive_conversation_waits_for_approval(client, factory, world) -> None:
    with factory() as s:
        rec = record(1, text="My child got sick after drinking your coffee")
        ingest_items(s, channel=s.get(Channel, world.channel.id), items=[item_from_record(rec, raw=orjson.dumps(rec).decode())])
        s.commit()
    ws = world.workspace.id
    login(client, "mia@acme.test")
    conv = client.get(f"/api/v1/workspaces/{ws}/conversations").json()["items"][0]
    assert client.post(f"/api/v1/workspaces/{ws}/conversations/{conv['id']}/priority",
                       json={"priority": "sensitive"}).json()["priority"] == "sensitive"
    client.cookies.clear()
    login(client, "ada@agency.test")
    r = client.post(f"/api/v1/workspaces/{ws}/conversations/{conv['id']}/reply", json={"text": "So sorry, DM us"})
    assert r.status_code == 202
    pending_id = r.json()["pending_reply_id"]
    thread = client.get(f"/api/v1/workspaces/{ws}/conversations/{conv['id']}").json()
    assert all(m["direction"] == "inbound" for m in thread["messages"])  # nothing sent yet
    assert client.post(f"/api/v1/workspaces/{ws}/pending-replies/{pending_id}/approve").status_code == 409
    client.cookies.clear()
    login(client, "mia@acme.test")
    sent = client.post(f"/api/v1/workspaces/{ws}/pending-replies/{pending_id}/approve")
    assert sent.status_code == 200 and sent.json()["direction"] == "outbound" and sent.json()["text"] == "So sorry, DM us"
    actions = [a["action"] for a in client.get(f"/api/v1/workspaces/{ws}/audit").json()]
    assert "reply.draft" in actions and "reply.approve" in actions
    again = client.post(f"/api/v1/workspaces/{ws}/pending-replies/{pending_id}/approve")
    assert again.status_code == 409
