"""The needs-reply queue on the dashboard: one row per waiting person, filters, bulk actions, `e`, and a
thread that shows who waits and answers the message chosen."""

from __future__ import annotations

import re

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import PASSWORD
from tests.factories import record

from tending.audit.models import AuditEntry
from tending.channel.models import Channel
from tending.inbox.models import Conversation, Message, ReplyState
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client: TestClient, email: str = "mia@acme.test") -> str:
    page = client.get("/login").text
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(page)})
    return _csrf(client.get("/w/acme/inbox").text)


def _seed(factory, world) -> dict[str, int]:
    recs = [
        record(1, kind="post", direction="outbound", author="brand"),
        record(2, parent="m1", author="ana", text="How do I pause my subscription?"),
        record(3, parent="m1", author="ben", text="Nice photo!"),
        record(4, parent="m1", author="ana", text="And can I change the grind?"),
        record(5, parent="m1", author="cy", text="Got sick after the cold brew, is there a recall?"),
    ]
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        ingest_items(s, channel=ch, items=[item_from_record(r, raw=orjson.dumps(r).decode()) for r in recs])
        ids = {m.external_id: m.id for m in s.scalars(select(Message))}
        s.get(Message, ids["m5"]).urgency_band = 0  # the food-safety question, as triage bands it
        s.get(Message, ids["m3"]).urgency_band = 2  # praise
        s.commit()
    return ids


def test_queue_lists_each_waiting_person_most_urgent_first(client: TestClient, factory, world) -> None:
    ids = _seed(factory, world)
    _login(client)
    page = client.get("/w/acme/inbox").text
    rows = re.findall(r'data-message-id="(\d+)"', page)
    assert rows == [str(ids["m5"]), str(ids["m2"]), str(ids["m3"])]  # cy, ana (2 messages), ben
    assert "(2 messages)" in page
    left = client.get("/w/acme/inbox/left").text  # loaded beside the queue
    assert 'data-testid="team-left">4 messages<' in left and 'data-testid="mine-left">0 messages<' in left


def test_filter_fragment_pushes_the_inbox_address(client: TestClient, factory, world) -> None:
    _seed(factory, world)
    _login(client)
    r = client.get("/w/acme/inbox/rows", params=[("f", "unassigned"), ("channel_id", "")])
    assert r.headers["HX-Push-Url"] == "/w/acme/inbox?f=unassigned"
    assert "queue-table" in r.text


def test_bulk_no_reply_needed_and_assign_are_audited(client: TestClient, factory, world) -> None:
    ids = _seed(factory, world)
    token = _login(client)
    r = client.post(
        "/w/acme/inbox/bulk",
        data={
            "action": "no_reply_needed",
            "message_ids": [ids["m3"]],
            "csrf_token": token,
            "back": "?f=questions",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/w/acme/inbox?f=questions"
    r = client.post(
        "/w/acme/inbox/bulk",
        data={
            "action": "assign",
            "message_ids": [ids["m5"]],
            "assignee_id": str(world.member.id),
            "csrf_token": token,
        },
    )
    assert r.status_code == 200
    with factory() as s:
        assert s.get(Message, ids["m3"]).reply_state == ReplyState.no_reply_needed
        assert s.get(Message, ids["m3"]).reply_state_by_id == world.member.id
        cy = s.get(Message, ids["m5"]).conversation_id
        assert s.scalar(select(Conversation.assignee_id).where(Conversation.id == cy)) == world.member.id
        assert s.scalar(select(Conversation.assignee_id).where(Conversation.id != cy).limit(1)) is None
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"message.no_reply_needed", "conversation.assign"} <= actions
    # Hiding as spam needs a reason: refused with the reason on the page, nothing hidden.
    r = client.post(
        "/w/acme/inbox/bulk", data={"action": "hide_spam", "message_ids": [ids["m2"]], "csrf_token": token}
    )
    assert "needs a reason" in r.text
    with factory() as s:
        assert s.get(Message, ids["m2"]).hidden is False


def test_done_marks_the_person_and_opens_the_next_item(client: TestClient, factory, world) -> None:
    ids = _seed(factory, world)
    token = _login(client)
    r = client.post(
        f"/w/acme/inbox/items/{ids['m2']}/done", data={"csrf_token": token}, follow_redirects=False
    )
    with factory() as s:
        assert {s.get(Message, ids[k]).reply_state for k in ("m2", "m4")} == {ReplyState.no_reply_needed}
        conv_id = s.get(Message, ids["m5"]).conversation_id
    assert r.headers["location"] == f"/w/acme/inbox/{conv_id}?m={ids['m5']}"


def test_thread_shows_who_waits_and_replies_to_the_chosen_message(client: TestClient, factory, world) -> None:
    ids = _seed(factory, world)
    _login(client)
    with factory() as s:
        conv_id = s.get(Message, ids["m3"]).conversation_id
    thread = client.get(f"/w/acme/inbox/{conv_id}", params={"m": ids["m3"]}).text
    # Ben's item holds Ben alone; the post view shows everyone under the post, each waiting.
    assert thread.count('data-testid="waiting-person"') == 1 and "Ben on Acme" in thread
    assert "Under a post with 3 people (3 waiting)" in thread
    post = client.get(f"/w/acme/inbox/{conv_id}/post").text
    assert post.count('data-testid="post-item"') == 3 and "3 people waiting</strong>" in post
    assert re.search(rf'<option value="{ids["m3"]}" selected>', thread)
    r = client.post(
        f"/w/acme/inbox/{conv_id}/reply",
        data={"text": "Thank you Ben!", "in_reply_to": str(ids["m3"]), "csrf_token": _csrf(thread)},
    )
    assert r.status_code == 200 and "Nobody is waiting here" in r.text and "answers Ben" in r.text
    post = client.get(f"/w/acme/inbox/{conv_id}/post").text
    assert "2 people waiting</strong>" in post
    with factory() as s:
        assert s.get(Message, ids["m3"]).reply_state == ReplyState.answered
        assert s.get(Message, ids["m2"]).reply_state == ReplyState.needs_reply


def test_api_queue_and_bulk_share_the_services(client: TestClient, factory, world) -> None:
    from tests.conftest import login

    ids = _seed(factory, world)
    login(client, "mia@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}"
    items = client.get(f"{base}/queue").json()["items"]
    assert [(i["message"]["id"], i["waiting"], i["urgency_band"]) for i in items] == [
        (ids["m5"], 1, 0),
        (ids["m2"], 2, 1),
        (ids["m3"], 1, 2),
    ]
    r = client.post(f"{base}/queue/bulk", json={"action": "no_reply_needed", "message_ids": [ids["m2"]]})
    assert r.status_code == 200 and r.json() == {"changed": 2}  # both of Ana's messages
    assert [i["message"]["id"] for i in client.get(f"{base}/queue").json()["items"]] == [ids["m5"], ids["m3"]]
    assert client.get(f"{base}/queue", params={"f": "nonsense"}).status_code == 422
