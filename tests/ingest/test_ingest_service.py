from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import jsonl, record

from tending.author.models import Author
from tending.channel.models import Channel
from tending.inbox.models import Conversation, Message
from tending.ingest.fileimport import import_file
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items


def _items(recs):
    return [item_from_record(r, raw=orjson.dumps(r).decode()) for r in recs]


def test_same_item_twice_is_one_message(session: Session, world) -> None:
    ch = session.get(Channel, world.channel.id)
    first = ingest_items(session, channel=ch, items=_items([record(1), record(2), record(1)]))
    session.commit()
    second = ingest_items(session, channel=ch, items=_items([record(1), record(2), record(3)]))
    session.commit()
    assert (first.new, first.duplicates) == (2, 1)
    assert (second.new, second.duplicates) == (1, 2)
    assert session.scalar(select(func.count(Message.id))) == 3


def test_raw_payload_and_author_profile_kept(session: Session, world) -> None:
    ch = session.get(Channel, world.channel.id)
    rec = record(5, author="zoe")
    ingest_items(session, channel=ch, items=_items([rec]))
    session.commit()
    msg = session.scalar(select(Message))
    assert orjson.loads(msg.raw) == rec
    author = session.get(Author, msg.author_id)
    assert (author.handle, author.followers, author.bio) == ("zoe", 15, "hi")


def test_threads_join_by_parent_even_across_batches(session: Session, world) -> None:
    ch = session.get(Channel, world.channel.id)
    ingest_items(session, channel=ch, items=_items([record(1, kind="post", direction="outbound")]))
    session.commit()
    ingest_items(session, channel=ch, items=_items([record(2, parent="m1"), record(3, parent="m2")]))
    session.commit()

    def conv_of(external_id: str) -> Conversation:
        session.expire_all()
        return session.scalar(
            select(Conversation)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.external_id == external_id)
        )

    # The post's own thread, and one item per person under it (user3 answered user2, yet is on their own).
    post, user2, user3 = conv_of("m1"), conv_of("m2"), conv_of("m3")
    assert len({post.id, user2.id, user3.id}) == 3
    assert {c.post_key for c in (post, user2, user3)} == {"m1"}
    assert (user2.message_count, user2.needs_reply, user2.status) == (1, True, "open")
    # the brand answers user3 (m3) in user3's item: user2 still waits in theirs
    ingest_items(
        session, channel=ch, items=_items([record(4, parent="m3", direction="outbound", minutes=30)])
    )
    session.commit()
    assert conv_of("m4").id == user3.id and conv_of("m3").status == "answered"
    assert conv_of("m2").needs_reply is True and conv_of("m2").waiting_count == 1
    # the brand answers user2 too
    ingest_items(
        session, channel=ch, items=_items([record(6, parent="m2", direction="outbound", minutes=31)])
    )
    session.commit()
    user2 = conv_of("m2")
    assert user2.needs_reply is False and user2.status == "answered"
    assert user2.first_response_at is not None
    assert (user2.first_response_at - user2.first_inbound_at).total_seconds() == 29 * 60
    # user3 writes again under the brand's answer: only user3's item reopens
    ingest_items(session, channel=ch, items=_items([record(5, parent="m4", minutes=40, author="user3")]))
    session.commit()
    assert conv_of("m5").id == user3.id
    assert conv_of("m5").status == "open" and conv_of("m2").status == "answered"


def test_import_reports_bad_lines_and_keeps_the_rest(
    factory: sessionmaker[Session], world, tmp_path: Path
) -> None:
    path = tmp_path / "export.jsonl"
    good = jsonl([record(1), record(2)])
    path.write_text(
        good
        + "{not json\n"
        + orjson.dumps({"id": "x", "text": "t", "created_at": "yesterday"}).decode()
        + "\n"
        + jsonl([record(3)])
    )
    out = import_file(factory, channel_id=world.channel.id, path=path)
    assert out.new == 3
    assert out.error_count == 2
    assert out.errors[0].startswith("export.jsonl:3: not valid JSON")
    assert "export.jsonl:4: created_at" in out.errors[1]


def test_import_same_file_twice_stores_nothing_twice(
    factory: sessionmaker[Session], world, tmp_path: Path
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl([record(i) for i in range(20)]))
    first = import_file(factory, channel_id=world.channel.id, path=path, batch_size=7)
    second = import_file(factory, channel_id=world.channel.id, path=path, batch_size=7)
    assert first.new == 20 and second.already_done
    # the same records in another file are recognised as duplicates
    other = tmp_path / "b.jsonl"
    other.write_text(jsonl([record(i) for i in range(25)]))
    third = import_file(factory, channel_id=world.channel.id, path=other, batch_size=7)
    assert (third.new, third.duplicates) == (5, 20)
    with factory() as s:
        assert s.scalar(select(func.count(Message.id))) == 25


def test_import_resumes_after_a_crash_mid_batch(
    factory: sessionmaker[Session],
    world,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text(jsonl([record(i) for i in range(50)]))
    import tending.ingest.fileimport as fi

    real = fi.ingest_items
    calls = {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(fi, "ingest_items", crashing)
    with pytest.raises(KeyboardInterrupt):
        import_file(factory, channel_id=world.channel.id, path=path, batch_size=10)
    with factory() as s:
        assert s.scalar(select(func.count(Message.id))) == 20  # two whole batches, nothing half-written
    monkeypatch.setattr(fi, "ingest_items", real)
    out = import_file(factory, channel_id=world.channel.id, path=path, batch_size=10)
    assert out.resumed_from == 20 and out.new == 30
    with factory() as s:
        assert s.scalar(select(func.count(Message.id))) == 50


def test_csv_import_names_the_bad_row(factory: sessionmaker[Session], world, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,text,created_at,author_id,author_handle,author_followers\n"
        "c1,hello,2026-01-01T10:00:00Z,u1,ann,12\n"
        "c2,bad followers,2026-01-01T10:01:00Z,u2,bob,many\n"
        "c3,fine,2026-01-01T10:02:00Z,u3,cy,\n"
    )
    out = import_file(factory, channel_id=world.channel.id, path=path)
    assert out.new == 2
    assert out.errors == ["in.csv:3: author.followers: not a whole number: 'many'"]


def test_figures_folded_batch_by_batch_match_a_full_recount(session: Session, world) -> None:
    """The per-batch figures (computed from the new messages alone) equal a recount from all messages,
    whatever the order and batching: late answers, replies out of order, reopened threads."""
    import random

    from tending.inbox.bookkeeping import refresh_conversations

    rng = random.Random(7)
    recs = []
    people: dict[str, list[str]] = {}  # per thread, the people's messages so far
    for n in range(1, 400):
        thread = f"t{rng.randint(0, 24)}"
        outbound = rng.random() < 0.35 and thread in people
        recs.append(
            record(
                n,
                thread=thread,
                # a brand reply answers someone of the thread (whose item it joins once that is stored)
                parent=rng.choice(people[thread]) if outbound else None,
                direction="outbound" if outbound else "inbound",
                author="brand" if outbound else f"p{rng.randint(0, 3)}",
                minutes=rng.randint(0, 100_000) * 10 + n % 10,  # distinct times, arriving out of order
            )
        )
        if not outbound:
            people.setdefault(thread, []).append(f"m{n}")
    ch = session.get(Channel, world.channel.id)
    for i in range(0, len(recs), 37):
        ingest_items(session, channel=ch, items=_items(recs[i : i + 37]))
        session.commit()

    def figures() -> dict[int, tuple[object, ...]]:
        return {
            c.id: (
                c.message_count,
                c.first_inbound_at,
                c.first_response_at,
                c.last_inbound_at,
                c.last_outbound_at,
                c.last_message_at,
                c.preview,
                c.last_author,
                c.needs_reply,
                c.status,
            )
            for c in session.scalars(select(Conversation).execution_options(populate_existing=True))
        }

    folded = figures()
    assert len(folded) > 25 and sum(f[0] for f in folded.values()) == 399
    refresh_conversations(session, list(folded))
    session.commit()
    assert figures() == folded


def test_daily_counts_follow_the_imported_messages(session: Session, world) -> None:
    from collections import Counter
    from datetime import datetime, timedelta

    from tending.stats.service import daily

    recs = [
        record(n, direction="outbound" if n % 3 == 0 else "inbound", minutes=n * 613) for n in range(1, 120)
    ]
    ch = session.get(Channel, world.channel.id)
    for i in range(0, len(recs), 50):
        ingest_items(session, channel=ch, items=_items(recs[i : i + 50]))
        session.commit()
    expected: Counter[tuple[str, str]] = Counter(
        (datetime.fromisoformat(r["created_at"]).date().isoformat(), r["direction"]) for r in recs
    )
    first = datetime.fromisoformat(recs[0]["created_at"])
    got = daily(session, workspace_id=world.workspace.id, since=first, until=first + timedelta(days=60))
    assert {
        (d, k): v for d, f in got.items() for k, v in f.items() if v and k in ("inbound", "outbound")
    } == (dict(expected))


def test_a_profile_that_changes_within_one_file_is_stored_as_last_seen(
    factory: sessionmaker[Session], world, tmp_path: Path
) -> None:
    recs = [record(n, author="ann") for n in range(1, 13)]
    for n, rec in enumerate(recs, start=1):  # followers grow half way, then stay; a bio appears late
        rec["author"]["followers"] = 10 if n <= 6 else 99
        if n >= 11:
            rec["author"]["bio"] = "roaster"
    path = tmp_path / "grow.jsonl"
    path.write_text(jsonl(recs))
    out = import_file(factory, channel_id=world.channel.id, path=path, batch_size=4)
    assert out.new == 12
    with factory() as s:
        author = s.scalars(select(Author).where(Author.external_id == "ann")).one()
        assert (author.followers, author.bio) == (99, "roaster")
