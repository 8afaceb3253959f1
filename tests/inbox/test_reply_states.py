"""The state rules of a person's message: who a reply answers, what reopens, and who decided "no reply"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.factories import conversation_of, ingest_records, record

from tending.audit.models import AuditEntry
from tending.inbox import reply_state
from tending.inbox.models import Message, ReplyState
from tending.inbox.queue import needs_reply_queue
from tending.inbox.service import InboxError, reply
from tending.moderation.service import hide_message, unhide_message
from tending.workspace.models import Workspace


def _ingest(session: Session, world, recs) -> None:
    ingest_records(session, world.channel.id, recs)


def _states(session: Session) -> dict[str, str | None]:
    session.expire_all()
    return {m.external_id: m.reply_state for m in session.scalars(select(Message))}


def _post_with_two_people(session: Session, world) -> None:
    _ingest(
        session,
        world,
        [
            record(1, kind="post", direction="outbound", author="brand"),
            record(2, parent="m1", author="ana", text="How do I pause my subscription?"),
            record(3, parent="m1", author="ben", text="I was charged twice for order #20542"),
            record(4, parent="m1", author="ana", text="Also, can I change the grind?"),
        ],
    )


def test_a_reply_to_one_person_does_not_answer_another(session: Session, world) -> None:
    _post_with_two_people(session, world)
    _ingest(session, world, [record(5, parent="m2", direction="outbound", author="brand", minutes=10)])
    states = _states(session)
    # Ana's two comments are one work item: the reply to her first answers both; Ben still waits.
    assert states["m2"] == states["m4"] == ReplyState.answered
    assert states["m3"] == ReplyState.needs_reply
    assert states["m1"] is None and states["m5"] is None  # the brand's own messages have no state
    reply_id = session.scalar(select(Message.id).where(Message.external_id == "m5"))
    assert session.scalar(select(Message.answered_by_id).where(Message.external_id == "m2")) == reply_id
    ben, ana = conversation_of(session, "m3"), conversation_of(session, "m2")
    assert ben.needs_reply is True and ben.waiting_count == 1 and ben.status == "open"
    assert ana.needs_reply is False and ana.waiting_count == 0 and ana.status == "answered"


def test_a_top_level_brand_comment_answers_nobody(session: Session, world) -> None:
    _post_with_two_people(session, world)
    _ingest(session, world, [record(5, parent="m1", direction="outbound", author="brand", minutes=10)])
    states = _states(session)
    assert [states[k] for k in ("m2", "m3", "m4")] == [ReplyState.needs_reply] * 3


def test_follow_up_after_the_reply_reopens_only_that_person(session: Session, world) -> None:
    _post_with_two_people(session, world)
    _ingest(
        session,
        world,
        [
            record(5, parent="m2", direction="outbound", author="brand", minutes=10),
            record(6, parent="m3", direction="outbound", author="brand", minutes=11),
        ],
    )
    assert {
        (c.needs_reply, c.status) for c in (conversation_of(session, "m2"), conversation_of(session, "m3"))
    } == {(False, "answered")}
    _ingest(session, world, [record(7, parent="m5", author="ana", text="Thanks, and the grind?", minutes=20)])
    states = _states(session)
    assert states["m7"] == ReplyState.needs_reply
    assert states["m2"] == states["m4"] == states["m3"] == ReplyState.answered
    ana, ben = conversation_of(session, "m7"), conversation_of(session, "m3")
    assert ana.id == conversation_of(session, "m2").id
    assert ana.needs_reply is True and ana.waiting_count == 1 and ana.status == "open"
    assert ben.needs_reply is False and ben.status == "answered"  # only Ana's item reopened


def test_direct_message_reply_answers_everything_before_it(session: Session, world) -> None:
    _ingest(
        session,
        world,
        [
            record(n, kind="direct", thread="dm-ana", author=who, direction=way)
            for n, who, way in [
                (1, "ana", "inbound"),
                (2, "ana", "inbound"),
                (3, "brand", "outbound"),
                (4, "ana", "inbound"),
            ]
        ],
    )
    states = _states(session)
    assert (states["m1"], states["m2"], states["m4"]) == ("answered", "answered", "needs_reply")


def test_no_reply_needed_is_audited_with_who_and_when(session: Session, world) -> None:
    _post_with_two_people(session, world)
    ana_first = session.scalar(select(Message).where(Message.external_id == "m2"))
    changed = reply_state.mark_no_reply_needed(
        session, workspace_id=world.workspace.id, message_ids=[ana_first.id], actor_id=world.member.id
    )
    session.commit()
    assert [m.external_id for m in changed] == ["m2"]
    msg = session.scalar(select(Message).where(Message.external_id == "m2"))
    assert msg.reply_state == ReplyState.no_reply_needed
    assert msg.reply_state_by_id == world.member.id and msg.reply_state_at is not None
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "message.no_reply_needed"))
    assert entry is not None and entry.actor_id == world.member.id and entry.target_id == msg.id
    assert conversation_of(session, "m2").waiting_count == 1  # Ana's second comment still waits
    assert conversation_of(session, "m3").waiting_count == 1  # and Ben, in his own item
    with pytest.raises(reply_state.MessageNotFound):
        reply_state.mark_no_reply_needed(
            session,
            workspace_id=world.other_workspace.id,
            message_ids=[msg.id],
            actor_id=world.member.id,
        )


def test_hiding_takes_a_message_off_the_queue_and_unhiding_puts_it_back(session: Session, world) -> None:
    _post_with_two_people(session, world)
    ben = session.scalar(select(Message).where(Message.external_id == "m3"))
    hide_message(session, message_id=ben.id, actor=world.admin, reason="bot link", category="spam")
    session.commit()
    assert _states(session)["m3"] == ReplyState.hidden
    assert (
        conversation_of(session, "m3").waiting_count == 0
        and conversation_of(session, "m2").waiting_count == 2
    )
    unhide_message(session, message_id=ben.id, actor=world.admin)
    session.commit()
    assert _states(session)["m3"] == ReplyState.needs_reply


def test_reply_from_the_desk_answers_the_chosen_message_or_the_oldest_waiting(
    session: Session, world, settings
) -> None:
    _post_with_two_people(session, world)
    _ingest(session, world, [record(5, parent="m3", author="ben", text="Order #20543 too", minutes=6)])
    ben_conv = conversation_of(session, "m3")
    ben = session.scalar(select(Message).where(Message.external_id == "m5"))
    sent = reply(
        session,
        settings=settings,
        conversation=ben_conv,
        text="Refunded!",
        actor_id=world.member.id,
        in_reply_to=ben.id,
    )
    session.commit()
    states = _states(session)
    assert states["m3"] == states["m5"] == ReplyState.answered
    assert states["m2"] == states["m4"] == ReplyState.needs_reply
    assert session.get(Message, ben.id).answered_by_id == sent.id
    # A message of another person's item is not this item's to answer.
    ana_first = session.scalar(select(Message).where(Message.external_id == "m2"))
    with pytest.raises(InboxError):
        reply(session, settings=settings, conversation=ben_conv, text="x", actor_id=world.member.id,
              in_reply_to=ana_first.id)  # fmt: skip
    # Default: the message that waited longest in the item (Ana's first), with her later one.
    reply(
        session,
        settings=settings,
        conversation=conversation_of(session, "m2"),
        text="Pause it in your account.",
        actor_id=world.member.id,
    )
    session.commit()
    assert set(_states(session).values()) == {ReplyState.answered, None}


def test_queue_is_one_row_per_person_most_urgent_first(session: Session, world) -> None:
    _post_with_two_people(session, world)
    ws = session.get(Workspace, world.workspace.id)
    ben = session.scalar(select(Message).where(Message.external_id == "m3"))
    ben.urgency_band = 0  # triage found "charged twice" urgent
    session.commit()
    page = needs_reply_queue(session, workspace=ws, now=datetime(2026, 3, 1, tzinfo=UTC))
    assert [(i.message.external_id, i.waiting) for i in page.items] == [("m3", 1), ("m2", 2)]


def test_overview_counts_waiting_messages_not_threads(session: Session, world) -> None:
    from tending.overview.service import waiting_by_age

    _post_with_two_people(session, world)  # one post, three waiting messages from two people
    buckets = waiting_by_age(
        session, workspace_id=world.workspace.id, timezone="UTC", now=datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert sum(b.count for b in buckets) == 3


def test_triage_bands_a_food_safety_question_above_nice_photo(session: Session, world) -> None:
    from tending.triage.service import triage_messages

    _ingest(
        session,
        world,
        [
            record(1, author="ana", text="Nice photo!"),
            record(
                2, author="ben", text="My kid got sick after the cold brew. Is it safe? Is there a recall?"
            ),
        ],
    )
    ids = list(session.scalars(select(Message.id).order_by(Message.id)))
    triage_messages(session, message_ids=ids)
    session.commit()
    ws = session.get(Workspace, world.workspace.id)
    page = needs_reply_queue(session, workspace=ws, now=datetime(2026, 3, 1, tzinfo=UTC))
    assert [i.message.external_id for i in page.items] == ["m2", "m1"]
    assert [i.band.name for i in page.items] == ["high", "low"]


def test_mine_and_unassigned_filters_follow_the_conversation_owner(session: Session, world) -> None:
    from tending.inbox.queue import QueueFilter

    _post_with_two_people(session, world)
    _ingest(session, world, [record(9, kind="direct", thread="dm-dan", author="dan")])
    ana, ben = conversation_of(session, "m2"), conversation_of(session, "m3")
    ana.assignee_id = ben.assignee_id = world.member.id
    session.commit()
    ws = session.get(Workspace, world.workspace.id)

    def ids(f: QueueFilter, actor: int) -> list[str]:
        page = needs_reply_queue(
            session, workspace=ws, now=datetime(2026, 3, 1, tzinfo=UTC), filters={f}, actor_id=actor
        )
        return [i.message.external_id for i in page.items]

    assert ids(QueueFilter.mine, world.member.id) == ["m2", "m3"]
    assert ids(QueueFilter.mine, world.admin.id) == []
    assert ids(QueueFilter.unassigned, world.admin.id) == ["m9"]
