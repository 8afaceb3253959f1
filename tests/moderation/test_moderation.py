from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.desk_fixtures import Msg, make_channel, make_conversation, make_user, make_workspace, message_of

from tending.audit.models import AuditEntry
from tending.inbox.models import Message
from tending.moderation.service import (
    ModerationRefused,
    hide_message,
    moderation_report,
    split_hidden_reason,
    unhide_message,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture()
def world(db: Session):
    ws = make_workspace(db)
    mod = make_user(db, ws, "Mod")
    ch = make_channel(db, ws)
    complaint = make_conversation(
        db,
        ws,
        ch,
        [Msg("inbound", T0, "Your update broke my app, fix it", sentiment="negative", intent="complaint")],
    )
    spam = make_conversation(
        db, ws, ch, [Msg("inbound", T0, "cheap followers at example.biz", intent="spam")]
    )
    answered = make_conversation(
        db,
        ws,
        ch,
        [
            Msg("inbound", T0, "how do I export?", intent="question"),
            Msg("outbound", T0 + timedelta(minutes=5), "Settings > Export"),
        ],
    )
    return ws, mod, message_of(db, complaint), message_of(db, spam), message_of(db, answered)


def test_hiding_a_negative_complaint_as_negative_is_refused(db: Session, world) -> None:
    _ws, mod, complaint, _spam, _ = world
    for category in ("negative", "off-topic", "competitor", ""):
        with pytest.raises(ModerationRefused, match="only spam or abuse may be hidden"):
            hide_message(
                db, message_id=complaint.id, actor=mod, reason="makes us look bad", category=category
            )
    assert not db.get(Message, complaint.id).hidden  # type: ignore[union-attr]
    assert db.scalars(select(AuditEntry)).all() == []


def test_hiding_needs_a_reason_and_an_inbound_message(db: Session, world) -> None:
    _ws, mod, _complaint, spam, _answered = world
    with pytest.raises(ModerationRefused, match="reason"):
        hide_message(db, message_id=spam.id, actor=mod, reason="   ", category="spam")
    reply = db.scalars(select(Message).where(Message.direction == "outbound")).one()
    with pytest.raises(ModerationRefused, match="only inbound"):
        hide_message(db, message_id=reply.id, actor=mod, reason="typo", category="spam")
    with pytest.raises(LookupError):
        hide_message(db, message_id=99999, actor=mod, reason="x", category="spam")


def test_hide_and_unhide_are_audited(db: Session, world) -> None:
    ws, mod, _complaint, spam, _ = world
    msg = hide_message(db, message_id=spam.id, actor=mod, reason="follower selling link", category="spam")
    assert msg.hidden and split_hidden_reason(msg.hidden_reason) == ("spam", "follower selling link")
    unhide_message(db, message_id=spam.id, actor=mod, reason="customer asked, real shop")
    assert not msg.hidden and msg.hidden_reason is None
    entries = list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.actor_id, e.target_id, e.workspace_id) for e in entries] == [
        ("message.hide", mod.id, spam.id, ws.id),
        ("message.unhide", mod.id, spam.id, ws.id),
    ]
    assert entries[0].detail["category"] == "spam" and entries[0].detail["triage_reads_legitimate"] is False
    assert entries[1].detail["was"] == "spam: follower selling link"


def test_report_counts_hidden_by_category_and_flags_hidden_criticism(db: Session, world) -> None:
    ws, mod, complaint, spam, _ = world
    hide_message(db, message_id=spam.id, actor=mod, reason="link farm", category="spam")
    # Labelled abuse, but triage reads a negative complaint: allowed (triage can be wrong), and reported.
    hide_message(db, message_id=complaint.id, actor=mod, reason="rude", category="abuse")
    report = moderation_report(
        db, workspace_id=ws.id, since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)
    )
    assert report.inbound == 3 and report.answered == 1
    assert report.hidden == 2
    assert report.hidden_by_category == {"abuse": 1, "spam": 1}
    assert report.negative_legitimate_hidden == 1 and report.negative_legitimate_ids == [complaint.id]
    assert report.target_negative_legitimate_hidden == 0
    audit = db.scalars(select(AuditEntry).where(AuditEntry.target_id == complaint.id)).one()
    assert audit.detail["triage_reads_legitimate"] is True


def test_report_outside_the_period_is_empty(db: Session, world) -> None:
    ws, mod, _complaint, spam, _ = world
    hide_message(db, message_id=spam.id, actor=mod, reason="link farm", category="spam")
    report = moderation_report(
        db, workspace_id=ws.id, since=T0 + timedelta(days=1), until=T0 + timedelta(days=2)
    )
    assert (report.inbound, report.hidden, report.hidden_by_category) == (0, 0, {})
