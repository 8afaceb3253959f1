"""Inbox tools on the pages and API: saved views per person, hide/unhide from the thread, the SLA badge,
and the notice on a reply that would go out as a canned copy."""

from __future__ import annotations

import re
from datetime import timedelta

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import PASSWORD, login
from tests.factories import record

from tending.audit.models import AuditEntry
from tending.channel.models import Channel
from tending.database.core import utcnow
from tending.inbox.models import Conversation, Direction, Message, MessageKind
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items
from tending.sla.models import SlaPolicyCreate
from tending.sla.service import create_policy


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _page_login(client: TestClient, email: str) -> None:
    page = client.get("/login").text
    r = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303


def _seed(factory, world, *texts: str) -> int:
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        recs = [record(i + 1, text=t) for i, t in enumerate(texts)]
        ingest_items(s, channel=ch, items=[item_from_record(r, raw=orjson.dumps(r).decode()) for r in recs])
        s.commit()
        return s.scalars(select(Conversation.id).order_by(Conversation.id)).first()


def test_saved_views_are_per_person_and_reopen_the_filters(client: TestClient, factory, world) -> None:
    _seed(factory, world, "Where is my order?")
    _page_login(client, "mia@acme.test")
    page = client.get("/w/acme/inbox", params={"status": "open", "assignee": "me"})
    r = client.post(
        "/w/acme/inbox/views",
        data={"name": "My open", "status": "open", "assignee": "me", "csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/w/acme/inbox?status=open&assignee=me"
    page = client.get("/w/acme/inbox")
    assert "My open" in page.text and 'href="/w/acme/inbox?status=open&amp;assignee=me"' in page.text
    # a view without any filter is refused with the reason on the page
    r = client.post("/w/acme/inbox/views", data={"name": "Nothing", "csrf_token": _csrf(page.text)})
    assert "choose at least one filter" in r.text
    # another person does not see Mia's view, through the page or the API
    other = TestClient(client.app)
    _page_login(other, "admin@acme.test")
    assert "My open" not in other.get("/w/acme/inbox").text
    login(other, "admin@acme.test")
    assert other.get(f"/api/v1/workspaces/{world.workspace.id}/saved-views").json() == []
    view_id = int(re.search(r"/w/acme/inbox/views/(\d+)/delete", page.text).group(1))
    assert other.delete(f"/api/v1/workspaces/{world.workspace.id}/saved-views/{view_id}").status_code == 404
    # Mia deletes her own view from the page
    r = client.post(f"/w/acme/inbox/views/{view_id}/delete", data={"csrf_token": _csrf(page.text)})
    assert r.status_code == 200 and "My open" not in r.text


def test_saved_views_api(client: TestClient, world) -> None:
    login(client, "mia@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}/saved-views"
    r = client.post(
        base, json={"name": "Refunds", "filters": {"q": "refund", "bogus": "x", "status": "open"}}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["filters"] == {"status": "open", "q": "refund"} and body["query"] == "status=open&q=refund"
    # saving under the same name replaces the filters instead of adding a second view
    r = client.post(base, json={"name": "Refunds", "filters": {"q": "refund"}})
    assert r.json()["id"] == body["id"]
    assert [v["filters"] for v in client.get(base).json()] == [{"q": "refund"}]
    assert client.post(base, json={"name": "Empty", "filters": {}}).status_code == 422
    assert client.delete(f"{base}/{body['id']}").status_code == 204
    assert client.get(base).json() == []
    # a foreign workspace is refused
    assert client.get(f"/api/v1/workspaces/{world.other_workspace.id}/saved-views").status_code in {403, 404}


def test_hide_and_unhide_from_the_thread(client: TestClient, factory, world) -> None:
    conv_id = _seed(factory, world, "BUY CHEAP FOLLOWERS at spam.example")
    _page_login(client, "mia@acme.test")
    thread = client.get(f"/w/acme/inbox/{conv_id}")
    msg_id = int(re.search(r"/messages/(\d+)/hide", thread.text).group(1))
    # no reason: refused on the page, nothing hidden
    r = client.post(
        f"/w/acme/inbox/{conv_id}/messages/{msg_id}/hide",
        data={"category": "spam", "reason": "", "csrf_token": _csrf(thread.text)},
    )
    assert r.status_code == 409 and "needs a reason" in r.text
    # criticism is not a hide category
    r = client.post(
        f"/w/acme/inbox/{conv_id}/messages/{msg_id}/hide",
        data={"category": "negative", "reason": "rude", "csrf_token": _csrf(thread.text)},
    )
    assert r.status_code == 409 and "only spam or abuse" in r.text
    r = client.post(
        f"/w/acme/inbox/{conv_id}/messages/{msg_id}/hide",
        data={"category": "spam", "reason": "follower selling", "csrf_token": _csrf(thread.text)},
    )
    assert r.status_code == 200 and "hidden: spam: follower selling" in r.text and "Unhide" in r.text
    r = client.post(f"/w/acme/inbox/{conv_id}/messages/{msg_id}/unhide", data={"csrf_token": _csrf(r.text)})
    assert r.status_code == 200 and "hidden: spam" not in r.text
    with factory() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.target_id == msg_id)).all()
        assert actions == ["message.hide", "message.unhide"]


def test_agency_cannot_hide_from_the_thread(client: TestClient, factory, world) -> None:
    conv_id = _seed(factory, world, "spam spam")
    _page_login(client, "ada@agency.test")
    thread = client.get(f"/w/acme/inbox/{conv_id}")
    assert "/hide" not in thread.text
    with factory() as s:
        msg_id = s.scalars(select(Message.id).where(Message.conversation_id == conv_id)).first()
    r = client.post(
        f"/w/acme/inbox/{conv_id}/messages/{msg_id}/hide",
        data={"category": "spam", "reason": "x", "csrf_token": _csrf(thread.text)},
    )
    assert r.status_code == 403


def test_thread_shows_sla_status(client: TestClient, factory, world) -> None:
    conv_id = _seed(factory, world, "Hello, anyone there?")
    _page_login(client, "mia@acme.test")
    assert "No SLA policy covers this conversation" in client.get(f"/w/acme/inbox/{conv_id}").text
    with factory() as s:
        create_policy(
            s,
            workspace_id=world.workspace.id,
            policy_in=SlaPolicyCreate(name="Default", first_response_hours=1),
        )
        conv = s.get(Conversation, conv_id)
        conv.first_inbound_at = utcnow() - timedelta(hours=3)
        s.commit()
    page = client.get(f"/w/acme/inbox/{conv_id}").text
    assert 'class="badge sla-breached"' in page and "first response: waiting" in page
    assert "SLA breached" in client.get("/w/acme/inbox/rows").text


def test_canned_reply_gets_a_notice_then_can_be_sent_anyway(client: TestClient, factory, world) -> None:
    conv_id = _seed(factory, world, "Do you ship to Norway?")
    canned = "Thanks for reaching out! Please send us a DM with your order number."
    with factory() as s:
        conv = s.get(Conversation, conv_id)
        for i in range(5):
            s.add(
                Message(
                    workspace_id=world.workspace.id,
                    channel_id=world.channel.id,
                    conversation_id=conv.id,
                    external_id=f"out-{i}",
                    kind=MessageKind.reply.value,
                    direction=Direction.outbound.value,
                    text=canned,
                    created_at=utcnow() - timedelta(days=1, minutes=i),
                )
            )
        s.commit()
    _page_login(client, "mia@acme.test")
    thread = client.get(f"/w/acme/inbox/{conv_id}")
    r = client.post(f"/w/acme/inbox/{conv_id}/reply", data={"text": canned, "csrf_token": _csrf(thread.text)})
    assert r.status_code == 200 and 'data-testid="humanity-notice"' in r.text
    assert "went out 5 times" in r.text and canned in r.text  # the draft is kept in the box
    with factory() as s:
        assert s.get(Conversation, conv_id).first_response_at is None  # nothing was sent yet
    r = client.post(
        f"/w/acme/inbox/{conv_id}/reply",
        data={"text": canned, "send_anyway": "1", "csrf_token": _csrf(r.text)},
    )
    assert r.status_code == 200 and 'data-testid="humanity-notice"' not in r.text
    with factory() as s:
        assert s.get(Conversation, conv_id).first_response_at is not None
