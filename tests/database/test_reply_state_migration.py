"""The reply-state revision on a database built by the demo: run down to the schema before it, then up
again, and check that no message or reply is lost and that each state is the one its thread gives it.
Runs on SQLite and, with TENDING_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker
from tests.database.revisions import run_revision

from tending.config import Settings
from tending.demo.service import build_demo
from tending.inbox.models import Conversation, ConversationStatus, Message, ReplyState

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
# Later revisions with indexes on the reply state or the waiting counts: taken down first, put back last.
LATER = ("d2f7a9c3e1b4", "c5e1d7a3b9f2")


def _run(engine: Engine, step: str) -> None:
    if step == "downgrade":
        for rev in LATER:
            run_revision(engine, rev, "downgrade")
        run_revision(engine, "7b2e4d9c1a05", "downgrade")
    else:
        run_revision(engine, "7b2e4d9c1a05", "upgrade")
        for rev in reversed(LATER):
            run_revision(engine, rev, "upgrade")


def test_migration_keeps_every_message_and_derives_states(
    engine: Engine, factory: sessionmaker[Session], settings: Settings
) -> None:
    build_demo(factory, settings=settings, days=20, now=NOW)
    with factory() as s:
        ids_before = list(s.scalars(select(Message.id).order_by(Message.id)))
        tied_answered = set(
            s.scalars(select(Message.id).where(Message.reply_state == ReplyState.answered.value))
        )
        hidden = set(s.scalars(select(Message.id).where(Message.hidden.is_(True))))
        # A conversation somebody closed while a person still waited in it.
        closed_id, waiting_id = s.execute(
            select(Message.conversation_id, Message.id)
            .where(Message.reply_state == ReplyState.needs_reply.value)
            .order_by(Message.id.desc())
            .limit(1)
        ).one()
        s.execute(
            update(Conversation)
            .where(Conversation.id == closed_id)
            .values(status=ConversationStatus.closed.value)
        )
        s.commit()
    assert tied_answered and len(ids_before) > 1000

    _run(engine, "downgrade")
    _run(engine, "upgrade")

    with factory() as s:
        assert list(s.scalars(select(Message.id).order_by(Message.id))) == ids_before
        states = {
            mid: state
            for mid, state in s.execute(
                select(Message.id, Message.reply_state).where(Message.direction == "inbound")
            )
        }
        assert None not in states.values()
        assert (
            s.scalar(
                select(func.count()).where(Message.direction == "outbound", Message.reply_state.is_not(None))
            )
            == 0
        )
        # Every message a tied reply answered is answered again; hidden ones stay hidden.
        assert {mid for mid in tied_answered if states[mid] != ReplyState.answered} == set()
        assert {states[mid] for mid in hidden} <= {ReplyState.hidden.value}
        # Whatever still needs a reply has no brand message after it in its thread (today's rule) ...
        later = aliased(Message)
        assert (
            s.scalar(
                select(func.count(Message.id)).where(
                    Message.reply_state == ReplyState.needs_reply.value,
                    select(later.id)
                    .where(
                        later.conversation_id == Message.conversation_id,
                        later.direction == "outbound",
                        later.created_at >= Message.created_at,
                    )
                    .exists(),
                )
            )
            == 0
        )
        # ... except in a closed conversation, where nobody is left waiting.
        assert states[waiting_id] in {ReplyState.no_reply_needed.value, ReplyState.answered.value}
        # The conversations' waiting figures match their messages.
        for conv in s.scalars(select(Conversation)):
            waiting = s.scalar(
                select(func.count(Message.id)).where(
                    Message.conversation_id == conv.id, Message.reply_state == ReplyState.needs_reply.value
                )
            )
            assert (conv.waiting_count, conv.needs_reply) == (waiting, waiting > 0)
