"""Collision safety: who else has an item open (a heartbeat that expires by itself), and a reply written
without knowing of a newer brand reply refused until the writer has seen it, over the API and the page."""

from __future__ import annotations

from datetime import timedelta

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.conftest import login
from tests.factories import record

from tending.auth.models import User
from tending.channel.models import Channel
from tending.database.core import utcnow
from tending.inbox.models import Conversation, ConversationKind, Message
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items
from tending.presence import service as presence


def _thread(factory, world) -> int:
    recs = [record(1, kind="post", direction="outbound"), record(2, parent="m1", text="Where is my order?")]
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        ingest_items(s, channel=ch, items=[item_from_record(r, raw=orjson.dumps(r).decode()) for r in recs])
        s.commit()
        # the person's item under the post (the brand's post has a thread of its own)
        return s.scalars(
            select(Conversation.id).where(Conversation.kind == ConversationKind.comment.value)
        ).one()


def _outbound(factory, conv_id: int) -> int:
    with factory() as s:
        return s.scalar(
            select(func.count(Message.id)).where(
                Message.conversation_id == conv_id, Message.direction == "outbound"
            )
        )


def test_api_reply_after_another_reply_is_refused_with_that_reply(client: TestClient, app, factory, world):
    conv = _thread(factory, world)
    base = f"/api/v1/workspaces/{world.workspace.id}/conversations/{conv}"
    login(client, "mia@acme.test")
    seen = max(m["id"] for m in client.get(base).json()["messages"])
    with TestClient(app) as other:
        login(other, "admin@acme.test")
        assert other.post(f"{base}/reply", json={"text": "It ships today!"}).status_code == 201
    before = _outbound(factory, conv)
    r = client.post(f"{base}/reply", json={"text": "Sorry, checking!", "expected_last_message_id": seen})
    assert r.status_code == 409, r.text
    detail = r.json()["detail"]
    assert [(x["text"], x["sent_by"]) for x in detail["replies"]] == [("It ships today!", "Admin")]
    assert "Admin replied here since you opened it" in detail["message"]
    assert _outbound(factory, conv) == before  # nothing went out
    # Having seen it, the writer may still send theirs.
    newest = max(m["id"] for m in client.get(base).json()["messages"])
    r = client.post(
        f"{base}/reply", json={"text": "Also: tracking is in your mail.", "expected_last_message_id": newest}
    )
    assert r.status_code == 201 and _outbound(factory, conv) == before + 1


def test_others_see_who_is_on_an_item_until_the_heartbeat_stops(client: TestClient, app, factory, world):
    conv = _thread(factory, world)
    url = f"/w/acme/inbox/{conv}/presence"
    login(client, "mia@acme.test")
    assert 'data-testid="presence"' in client.get(f"/w/acme/inbox/{conv}").text
    assert client.post(url, data={"text": "Hi! Your order", "seen_up_to": "0"}).status_code == 200
    with TestClient(app) as other:
        login(other, "admin@acme.test")
        seen = client.get(f"/api/v1/workspaces/{world.workspace.id}/conversations/{conv}").json()
        newest = max(m["id"] for m in seen["messages"])
        page = other.post(url, data={"text": "", "seen_up_to": str(newest)}).text
        assert "Mia</strong> is writing a reply" in page and "collision-notice" not in page
        # Mia's page hears that Admin is reading, and after Admin's reply, what was sent.
        assert "Admin</strong> has this open" in client.post(url, data={"seen_up_to": str(newest)}).text
        assert other.post(f"{base_api(world, conv)}/reply", json={"text": "On its way!"}).status_code == 201
    page = client.post(url, data={"text": "Hi! Your order", "seen_up_to": str(newest)}).text
    assert (
        "collision-notice" in page and "Admin replied since you opened this" in page and "On its way!" in page
    )
    assert "Admin</strong>" not in page.split("collision-notice")[0]  # sending took Admin off the item
    with factory() as s:  # a page that stops reporting stops counting, without anyone releasing it
        conversation = s.get(Conversation, conv)
        mia = s.scalars(select(User).where(User.email == "mia@acme.test")).one()
        admin = s.scalars(select(User).where(User.email == "admin@acme.test")).one()
        now = utcnow()
        presence.touch(s, conversation=conversation, user=admin, now=now, writing=False)
        assert [p.name for p in presence.others_on(s, conversation_id=conv, user_id=mia.id, now=now)] == [
            "Admin"
        ]
        later = now + presence.PRESENCE_TTL + timedelta(seconds=1)
        assert presence.others_on(s, conversation_id=conv, user_id=mia.id, now=later) == []


def base_api(world, conv: int) -> str:
    return f"/api/v1/workspaces/{world.workspace.id}/conversations/{conv}"


def test_page_reply_after_another_reply_asks_to_confirm(client: TestClient, app, factory, world):
    conv = _thread(factory, world)
    login(client, "mia@acme.test")
    seen = max(m["id"] for m in client.get(base_api(world, conv)).json()["messages"])
    with TestClient(app) as other:
        login(other, "admin@acme.test")
        assert (
            other.post(f"{base_api(world, conv)}/reply", json={"text": "It ships today!"}).status_code == 201
        )
    form = {"text": "Your parcel left this morning.", "seen_up_to": str(seen), "send_anyway": "1"}
    r = client.post(f"/w/acme/inbox/{conv}/reply", data=form, follow_redirects=False)
    assert r.status_code == 409
    assert "Admin replied since you opened this: “It ships today!”" in r.text
    assert "Your parcel left this morning.</textarea>" in r.text  # the draft is kept
    newest = max(m["id"] for m in client.get(base_api(world, conv)).json()["messages"])
    assert f'name="seen_up_to" id="seen-up-to" value="{newest}"' in r.text  # sending again confirms
    r = client.post(
        f"/w/acme/inbox/{conv}/reply", data={**form, "seen_up_to": str(newest)}, follow_redirects=False
    )
    assert r.status_code == 303 and _outbound(factory, conv) == 2  # both replies, in the person's item
