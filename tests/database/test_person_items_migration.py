"""The per-person revision on a database built by the demo: run down to one conversation per post (the shape
before it), then up again, and check that no message or reply is lost, that states are untouched and that
every message lands where ingestion puts it today. Runs on SQLite and, with TENDING_TEST_DATABASE_URL, on
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from tests.database.revisions import run_revision

from tending.config import Settings
from tending.demo.service import build_demo
from tending.inbox.models import Conversation, ConversationKind, ConversationWatcher, Message

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _run(engine: Engine, step: str) -> None:
    run_revision(engine, "c4d8e1f2a7b3", step)


def _placement(s: Session) -> dict[int, tuple[int, str, str, int, str]]:
    """Each message's channel, conversation key and kind, and its reply state and answer."""
    rows = s.execute(
        select(Message.id, Conversation.channel_id, Conversation.thread_key, Conversation.kind,
               Message.answered_by_id, Message.reply_state)
        .join(Conversation, Conversation.id == Message.conversation_id)
    )  # fmt: skip
    return {mid: (ch, key, kind, answer, state) for mid, ch, key, kind, answer, state in rows}


def test_migration_splits_post_threads_per_person_and_keeps_every_message(
    engine: Engine, factory: sessionmaker[Session], settings: Settings
) -> None:
    build_demo(factory, settings=settings, days=20, now=NOW)
    with factory() as s:
        before = _placement(s)
        figures = dict(s.execute(select(Conversation.thread_key, Conversation.waiting_count)).all())
        busiest = s.execute(
            select(Conversation.post_key, func.count(Conversation.id))
            .where(Conversation.kind == ConversationKind.comment.value)
            .group_by(Conversation.post_key)
            .order_by(func.count(Conversation.id).desc())
            .limit(1)
        ).one()
        # Someone watches an item of the busiest post: the split copies watchers to each item.
        watched = s.scalar(
            select(func.max(Conversation.id)).where(
                Conversation.post_key == busiest[0], Conversation.kind == ConversationKind.comment.value
            )
        )
        s.add(ConversationWatcher(conversation_id=watched, user_id=1))
        s.commit()
    assert len(before) > 1000 and busiest[1] >= 10

    _run(engine, "downgrade")
    with engine.connect() as conn:  # the shape before the revision: one conversation per post
        threads = conn.execute(
            text("SELECT count(*) FROM conversation WHERE thread_key = :k"), {"k": busiest[0]}
        ).scalar()
        people = conn.execute(
            text("SELECT count(*) FROM conversation WHERE thread_key LIKE '%#by:%'")
        ).scalar()
        assert (threads, people) == (1, 0)
        assert conn.execute(text("SELECT count(*) FROM message")).scalar() == len(before)
    _run(engine, "upgrade")

    with factory() as s:
        after = _placement(s)
        assert after == before  # same messages, same answers and states, each where ingestion puts it
        assert dict(s.execute(select(Conversation.thread_key, Conversation.waiting_count)).all()) == figures
        # The watcher of one item followed it into the post's thread and back out to each item of the post.
        assert s.scalar(select(func.count()).select_from(ConversationWatcher)) >= busiest[1] - 1
        # Each public item holds one person's messages.
        mixed = s.execute(
            select(Message.conversation_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.direction == "inbound", Conversation.kind == ConversationKind.comment.value)
            .group_by(Message.conversation_id)
            .having(func.count(func.distinct(Message.author_id)) > 1)
        ).all()
        assert mixed == []
