from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session
from tests.desk_fixtures import Msg, make_channel, make_conversation, make_user, make_workspace, message_of

from tending.answers.models import PreparedAnswer, PreparedAnswerCreate
from tending.answers.service import (
    FATIGUE_SENDS,
    check_reply_humanity,
    create_answer,
    record_use,
    suggest_answers,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CANNED = "Thanks for reaching out! We are looking into it and will get back to you shortly."


def _answer(db: Session, ws_id: int, title: str, body: str, topics: list[str] | None = None) -> int:
    return create_answer(
        db,
        workspace_id=ws_id,
        author_id=None,
        answer_in=PreparedAnswerCreate(title=title, body=body, topics=topics or []),
    ).id


def test_suggestions_rank_by_wording_and_explain_why(db: Session) -> None:
    ws = make_workspace(db)
    ch = make_channel(db, ws)
    shipping = _answer(
        db,
        ws.id,
        "Parcel delayed",
        "Sorry your parcel is delayed. Your tracking number shows "
        "where the delivery is; carriers update it daily.",
        ["shipping"],
    )
    refund = _answer(
        db, ws.id, "Refunds", "Refunds are paid within 30 days to the original card.", ["billing"]
    )
    _answer(db, ws.id, "Password", "Use the reset link on the login page to choose a new password.")
    conv = make_conversation(
        db,
        ws,
        ch,
        [Msg("inbound", T0, "My parcel is late and the tracking number shows nothing", topics=["shipping"])],
    )
    found = suggest_answers(db, message=message_of(db, conv), limit=2)
    assert [s.answer_id for s in found][:1] == [shipping]
    assert len(found) <= 2
    top = found[0]
    assert top.topic_match and any("shares topic(s): shipping" in r for r in top.reasons)
    assert top.text_similarity > 0.2
    assert all(s.answer_id != refund or s.score < top.score for s in found)


def test_example_messages_find_the_answer_its_own_words_would_miss(db: Session) -> None:
    ws = make_workspace(db)
    ch = make_channel(db, ws)
    conv = make_conversation(
        db, ws, ch, [Msg("inbound", T0, "where the heck is my stuff?? ordered last week")]
    )
    body = "Orders leave within a day; delivery takes two to three working days."
    plain = _answer(db, ws.id, "Delivery times", body)
    other = _answer(db, ws.id, "Opening hours", "Our cafés open at eight, every day of the week.")
    without = suggest_answers(db, message=message_of(db, conv), limit=2)
    assert without[0].answer_id == other  # the answer's own words lose to chance n-gram overlap
    answer = db.get(PreparedAnswer, plain)
    answer.examples = ["where is my stuff? I ordered a week ago", "still waiting for my order"]
    db.flush()
    found = suggest_answers(db, message=message_of(db, conv), limit=2)
    assert found[0].answer_id == plain and found[0].text_similarity > 0.4
    assert "close to example message" in found[0].reasons[0]
    assert all(s.answer_id != other or s.score < found[0].score for s in found)


def test_past_good_replies_lift_the_answer_that_resembles_them(db: Session) -> None:
    ws = make_workspace(db)
    ch = make_channel(db, ws)
    carrier = _answer(
        db, ws.id, "Late order", "We are sorry your order is late. Please check the carrier page."
    )
    resend = _answer(
        db, ws.id, "Late order", "We are sorry your order is late. We send a new one today, free."
    )
    # Resending worked (the customer thanked us); pointing at the carrier page did not (no reply, still open).
    worked = make_conversation(
        db,
        ws,
        ch,
        [
            Msg("inbound", T0, "my order is late again"),
            Msg(
                "outbound",
                T0 + timedelta(minutes=9),
                "So sorry your order is late, we send a new one today, free!",
            ),
            Msg("inbound", T0 + timedelta(minutes=30), "thank you so much!", sentiment="positive"),
        ],
    )
    make_conversation(
        db,
        ws,
        ch,
        [
            Msg("inbound", T0, "order late??"),
            Msg(
                "outbound",
                T0 + timedelta(minutes=9),
                "Sorry your order is late, please check the carrier page.",
            ),
            Msg("inbound", T0 + timedelta(minutes=40), "that page is useless", sentiment="negative"),
        ],
    )
    # A resolved thread where the carrier text answered something else does not count for this message.
    other = make_conversation(
        db,
        ws,
        ch,
        [
            Msg("inbound", T0, "how do I change my password"),
            Msg(
                "outbound",
                T0 + timedelta(minutes=9),
                "Sorry your order is late, please check the carrier page.",
            ),
        ],
    )
    other.status, other.resolved_at = "closed", T0 + timedelta(hours=1)
    db.flush()
    incoming = make_conversation(db, ws, ch, [Msg("inbound", T0 + timedelta(hours=2), "my order is late")])
    found = {s.answer_id: s for s in suggest_answers(db, message=message_of(db, incoming))}
    assert found[resend].good_reply_similarity > 0.3
    assert found[carrier].good_reply_similarity < found[resend].good_reply_similarity
    assert found[resend].score > found[carrier].score
    good_reply_id = message_of(db, worked, 1).id
    assert any(f"reply #{good_reply_id}" in r for r in found[resend].reasons)


def test_no_answers_no_suggestions(db: Session) -> None:
    ws = make_workspace(db)
    conv = make_conversation(db, ws, make_channel(db, ws), [Msg("inbound", T0, "hello")])
    assert suggest_answers(db, message=message_of(db, conv)) == []


def test_attachments_are_validated() -> None:
    with pytest.raises(ValidationError, match="attachments"):
        PreparedAnswerCreate(title="t", body="b", attachments=[{"name": "form", "url": "not a url"}])


def _send(db: Session, ws, ch, text: str, at: datetime) -> None:
    make_conversation(db, ws, ch, [Msg("inbound", at - timedelta(minutes=5), "?"), Msg("outbound", at, text)])


def test_template_fatigue_flags_the_fifth_identical_send_in_30_days(db: Session) -> None:
    ws = make_workspace(db)
    ch = make_channel(db, ws)
    template = _answer(db, ws.id, "Holding reply", CANNED)
    now = T0 + timedelta(days=40)
    _send(db, ws, ch, CANNED, now - timedelta(days=35))  # outside the window
    # Case, spacing, punctuation and a first name in front do not make a reply personal.
    variants = [CANNED, CANNED.lower(), "Hi Ann, " + CANNED, CANNED.replace("shortly.", "shortly!")]
    for i, text in enumerate(variants):
        _send(db, ws, ch, text, now - timedelta(days=i + 1))
    check = check_reply_humanity(db, workspace_id=ws.id, text=CANNED, now=now)
    assert check.identical_sends == FATIGUE_SENDS - 1 and not check.flagged
    assert check.template_id == template
    _send(db, ws, ch, CANNED, now - timedelta(days=6))
    check = check_reply_humanity(db, workspace_id=ws.id, text=CANNED, now=now)
    assert check.flagged and check.identical_sends == FATIGUE_SENDS
    assert any("went out 5 times" in r for r in check.reasons)
    personal = (
        "Hi Marta, I checked order 5512: the warehouse packed it this morning and DHL collects it at 4pm, "
        "so it should be with you on Thursday."
    )
    check = check_reply_humanity(db, workspace_id=ws.id, text=personal, now=now)
    assert not check.flagged and check.identical_sends == 0 and check.template_id is None


def test_record_use_counts_unchanged_sends(db: Session) -> None:
    ws = make_workspace(db)
    user = make_user(db, ws, "Ann")
    answer = create_answer(
        db,
        workspace_id=ws.id,
        author_id=user.id,
        answer_in=PreparedAnswerCreate(
            title="Hold", body=CANNED, attachments=[{"name": "Form", "url": "https://x.example/f"}]
        ),
    )
    assert answer.attachments == [{"name": "Form", "url": "https://x.example/f"}]
    record_use(db, answer_id=answer.id, sent_text=CANNED, now=T0)
    record_use(
        db, answer_id=answer.id, sent_text="Hi Ann! Your refund left today; it shows in 3 days.", now=T0
    )
    assert (answer.use_count, answer.unchanged_count, answer.last_used_at) == (2, 1, T0)
