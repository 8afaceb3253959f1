"""One person is one work item: under a post each person's comments and the replies to them form their own
conversation; the post view shows everyone; SLA clocks and response times are per person's message."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.factories import BASE, conversation_of, ingest_records, record

from tending.inbox.models import (
    ConversationKind,
    ConversationWatcher,
    Message,
    ReplyState,
    WatchReason,
)
from tending.inbox.posts import post_thread
from tending.inbox.queue import QueueFilter, needs_reply_queue
from tending.inbox.service import list_conversations, reply
from tending.sla.figures import response_figures
from tending.sla.models import SlaMetric, SlaPolicy
from tending.sla.service import sla_status
from tending.workspace.models import Workspace

LATER = BASE + timedelta(days=2)


def _ingest(session: Session, world, recs) -> None:
    ingest_records(session, world.channel.id, recs)


def _post(session: Session, world) -> None:
    _ingest(
        session,
        world,
        [
            record(1, kind="post", direction="outbound", author="brand", text="New roast is out"),
            record(2, parent="m1", author="ana", text="How do I pause my subscription?"),
            record(3, parent="m1", author="ben", text="I was charged twice for order #20542"),
            record(4, parent="m1", author="ana", text="Also, can I change the grind?"),
            record(5, parent="m3", author="cy", text="Same here, charged twice"),
        ],
    )


def test_each_person_under_a_post_is_one_conversation(session: Session, world) -> None:
    _post(session, world)
    ana, ben, cy, post = (conversation_of(session, m) for m in ("m2", "m3", "m5", "m1"))
    assert conversation_of(session, "m4").id == ana.id  # Ana's two comments are one item
    assert len({ana.id, ben.id, cy.id, post.id}) == 4  # Cy replied to Ben, yet is an item of her own
    assert post.kind == ConversationKind.post and post.thread_key == "m1"
    assert {c.post_key for c in (ana, ben, cy, post)} == {"m1"}
    assert (ana.waiting_count, ben.waiting_count, cy.waiting_count, post.waiting_count) == (2, 1, 1, 0)
    # The inbox lists work items, not the post's own thread.
    rows, _ = list_conversations(session, workspace_id=world.workspace.id)
    assert sorted(c.id for c in rows) == sorted([ana.id, ben.id, cy.id])


def test_brand_replies_land_in_the_item_of_the_message_they_answer(session: Session, world) -> None:
    _post(session, world)
    _ingest(
        session,
        world,
        [
            record(6, parent="m3", direction="outbound", author="brand", minutes=30, text="Refunded, Ben"),
            record(7, parent="m1", direction="outbound", author="brand", minutes=31, text="Thanks all!"),
            record(8, parent="m6", direction="outbound", author="brand", minutes=32, text="P.S. sorry"),
        ],
    )
    ben, post = conversation_of(session, "m3"), conversation_of(session, "m1")
    assert conversation_of(session, "m6").id == ben.id and conversation_of(session, "m8").id == ben.id
    assert conversation_of(session, "m7").id == post.id  # a top-level brand comment answers no one
    assert ben.status == "answered" and ben.waiting_count == 0
    assert (
        conversation_of(session, "m2").waiting_count == 2
        and conversation_of(session, "m5").waiting_count == 1
    )


def test_a_follow_up_reopens_only_that_persons_item(session: Session, world) -> None:
    _post(session, world)
    _ingest(
        session,
        world,
        [
            record(6, parent="m3", direction="outbound", author="brand", minutes=30),
            record(7, parent="m5", direction="outbound", author="brand", minutes=31),
        ],
    )
    _ingest(session, world, [record(8, parent="m6", author="ben", text="Still not refunded", minutes=40)])
    ben, cy = conversation_of(session, "m3"), conversation_of(session, "m5")
    assert conversation_of(session, "m8").id == ben.id
    assert (ben.status, ben.waiting_count) == ("open", 1)
    assert (cy.status, cy.waiting_count) == ("answered", 0)


def test_reply_from_the_desk_records_the_chosen_message_and_stays_in_the_item(
    session: Session, world, settings
) -> None:
    _post(session, world)
    ana = conversation_of(session, "m2")
    second = session.scalar(select(Message).where(Message.external_id == "m4"))
    sent = reply(session, settings=settings, conversation=ana, text="Sure!", actor_id=world.member.id,
                 in_reply_to=second.id)  # fmt: skip
    session.commit()
    assert sent.conversation_id == ana.id and sent.parent_external_id == "m4"
    states = dict(session.execute(select(Message.external_id, Message.reply_state)).all())
    assert states["m4"] == ReplyState.answered and states["m2"] == ReplyState.answered  # waited before it
    assert states["m3"] == states["m5"] == ReplyState.needs_reply
    assert session.get(Message, second.id).answered_by_id == sent.id


def test_direct_messages_stay_one_conversation_per_person(session: Session, world) -> None:
    _ingest(session, world, [record(n, kind="direct", thread="dm-ana", author="ana") for n in (1, 2)])
    _ingest(session, world, [record(3, kind="direct", thread="dm-ana", author="brand", direction="outbound")])
    conv = conversation_of(session, "m1")
    assert conv.kind == ConversationKind.direct and conv.post_key is None
    assert {conversation_of(session, m).id for m in ("m2", "m3")} == {conv.id}
    assert post_thread(session, conversation=conv) is None


def test_the_post_view_shows_each_waiting_person(session: Session, world) -> None:
    _post(session, world)
    _ingest(session, world, [record(6, parent="m3", direction="outbound", author="brand", minutes=30)])
    thread = post_thread(session, conversation=conversation_of(session, "m5"))
    assert thread is not None and thread.post is not None and thread.post.text == "New roast is out"
    assert [(i.person, i.conversation.waiting_count) for i in thread.items] == [
        ("Ana", 2),
        ("Cy", 1),
        ("Ben", 0),
    ]
    assert [i.person for i in thread.waiting] == ["Ana", "Cy"]


def test_sla_clock_runs_from_the_oldest_waiting_message(session: Session, world) -> None:
    _post(session, world)
    _ingest(session, world, [record(6, parent="m3", direction="outbound", author="brand", minutes=30)])
    policy = SlaPolicy(workspace_id=world.workspace.id, name="all", first_response_hours=1.0, id=1,
                       business_hours={}, timezone="UTC", warn_fraction=0.75)  # fmt: skip
    ben = conversation_of(session, "m3")
    first = sla_status(conversation=ben, policy=policy, now=BASE + timedelta(hours=5)).metrics[0]
    assert first.metric is SlaMetric.first_response and first.done and first.level.value == "ok"
    _ingest(session, world, [record(7, parent="m6", author="ben", minutes=120)])
    ben = conversation_of(session, "m3")
    running = sla_status(conversation=ben, policy=policy, now=BASE + timedelta(minutes=150)).metrics[0]
    # The follow-up at +120 min starts the clock again: 30 minutes, within the hour.
    assert not running.done and round(running.wall_hours, 2) == 0.5 and running.level.value == "ok"


def test_response_times_are_per_message(session: Session, world) -> None:
    _post(session, world)
    _ingest(
        session,
        world,
        [
            record(6, parent="m2", direction="outbound", author="brand", minutes=62),  # Ana: 60 and 58 min
            record(7, parent="m3", direction="outbound", author="brand", minutes=183),  # Ben: 180 min
        ],
    )
    figures = response_figures(
        session, workspace_id=world.workspace.id, since=BASE, until=BASE + timedelta(days=1), now=LATER
    )
    assert figures.overall.messages == 4 and figures.overall.answered == 3  # Cy still waits
    assert round(figures.overall.median_wall_hours * 60) == 60
    assert figures.unanswered_total == 1


def test_watching_filter_lists_items_someone_follows(session: Session, world) -> None:
    _post(session, world)
    ben = conversation_of(session, "m3")
    session.add(
        ConversationWatcher(conversation_id=ben.id, user_id=world.member.id, reason=WatchReason.escalation)
    )
    session.commit()
    ws = session.get(Workspace, world.workspace.id)
    page = needs_reply_queue(
        session, workspace=ws, now=LATER, filters={QueueFilter.watching}, actor_id=world.member.id
    )
    assert [i.message.external_id for i in page.items] == ["m3"]
    assert session.scalar(select(func.count(ConversationWatcher.user_id))) == 1


def test_api_post_view_lists_each_person(client, session: Session, world) -> None:
    from tests.conftest import login

    _post(session, world)
    ben = conversation_of(session, "m3")
    login(client, "mia@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}/conversations"
    body = client.get(f"{base}/{ben.id}/post").json()
    assert body["post"]["text"] == "New roast is out" and body["waiting"] == 3
    assert [i["person"] for i in body["items"]] == ["Ana", "Ben", "Cy"]
    assert {i["conversation"]["post_key"] for i in body["items"]} == {"m1"}
