"""One bad record never blocks an import or a channel: each is set aside with its file and line (or its
channel and network id), the rest is stored, and a resumed import goes on. Run on SQLite and PostgreSQL:
the limits are the columns' and the same on both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import jsonl, record

from tending.author.models import Author
from tending.channel.models import Channel
from tending.config import Settings
from tending.connectors.bases import FetchResult
from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.connectors.fake.connector import FakeConnector
from tending.inbox.models import Message
from tending.ingest.fileimport import import_file
from tending.ingest.models import ImportJob
from tending.ingest.poll import poll_channel
from tending.ingest.screen import TEXT_CAP_BYTES, screen_item, stored_as_is


def _stored(factory: sessionmaker[Session]) -> dict[str, Message]:
    with factory() as s:
        return {m.external_id: m for m in s.scalars(select(Message))}


def _with(n: int, **changes: Any) -> dict[str, Any]:
    rec = record(n)
    author = changes.pop("author", None)
    if author:
        rec["author"] = {**rec["author"], **author}
    return {**rec, **changes}


BAD_RECORDS = {
    "id over 300 characters": _with(1, id="x" * 301),
    "parent id over 300 characters": _with(1, parent_id="p" * 400),
    "language over 12 characters": _with(1, language="english-please"),
    "language that is no ISO 639-1 code": _with(1, language="klingon"),
    "followers 1e30": _with(1, author={"followers": 1e30}),
    "followers above 2^31": _with(1, author={"followers": 2**31}),
    "negative following": _with(1, author={"following": -5}),
    "author id over 200 characters": _with(1, author={"id": "a" * 201}),
    "url over 1000 characters": _with(1, url="https://example.com/" + "u" * 1000),
    "id as an object": _with(1, id={"a": 1}),
    "id as a boolean": _with(1, id=True),
    "text as an object": _with(1, text={"html": "<p>hi</p>"}),
    "kind as a list": _with(1, kind=["comment"]),
    "created_at in year 9999": _with(1, created_at="9999-12-31T23:00:00-05:00"),
}


@pytest.mark.parametrize("case", sorted(BAD_RECORDS))
def test_a_bad_record_is_set_aside_with_its_line_and_the_rest_stored(
    case: str, factory: sessionmaker[Session], world: Any, tmp_path: Path
) -> None:
    records = [record(0), BAD_RECORDS[case], record(2)]
    src = tmp_path / "feed.jsonl"
    src.write_text(jsonl(records))
    out = import_file(factory, channel_id=world.channel.id, path=src, batch_size=10)
    assert set(_stored(factory)) == {"m0", "m2"}
    assert out.error_count == 1 and out.errors[0].startswith("feed.jsonl:2: "), out.errors
    with factory() as s:
        job = s.scalars(select(ImportJob)).one()
        assert job.status == "done" and job.records_done == 3 and "feed.jsonl:2" in (job.error or "")


def test_nul_and_control_characters_are_removed_from_every_text_field(
    factory: sessionmaker[Session], world: Any, tmp_path: Path
) -> None:
    rec = _with(
        1, text="caf\u0000e\u0007 ok\ttab\nline", author={"handle": "bad\u0000handle", "bio": "b\u0000io"}
    )
    src = tmp_path / "nul.jsonl"
    src.write_text(jsonl([rec, record(2)]))
    out = import_file(factory, channel_id=world.channel.id, path=src)
    assert out.error_count == 0 and out.new == 2
    msg = _stored(factory)["m1"]
    assert msg.text == "cafe ok\ttab\nline"
    with factory() as s:
        author = s.scalars(select(Author).where(Author.handle.like("bad%"))).one()
        assert (author.handle, author.bio) == ("badhandle", "bio")


def test_a_50_mb_message_is_stored_capped(factory: sessionmaker[Session], world: Any, tmp_path: Path) -> None:
    src = tmp_path / "huge.jsonl"
    src.write_text(jsonl([_with(1, text="é" * (25 * 1024 * 1024)), record(2)]))
    out = import_file(factory, channel_id=world.channel.id, path=src)
    assert out.new == 2 and out.error_count == 0
    msg = _stored(factory)["m1"]
    assert len(msg.text.encode()) <= TEXT_CAP_BYTES and msg.text == "é" * (TEXT_CAP_BYTES // 2)
    assert msg.raw is not None and len(msg.raw) < 1024 * 1024
    assert orjson.loads(msg.raw)["truncated_from_bytes"] > 50 * 1000 * 1000


def test_language_is_stored_as_its_iso_639_1_code(
    factory: sessionmaker[Session], world: Any, tmp_path: Path
) -> None:
    src = tmp_path / "lang.jsonl"
    langs = {"m1": "en-US", "m2": "PT_br", "m3": "und", "m4": "iw", "m5": "fr"}
    src.write_text(jsonl([_with(int(k[1:]), language=v) for k, v in langs.items()]))
    out = import_file(factory, channel_id=world.channel.id, path=src)
    assert out.error_count == 0
    got = {k: m.language for k, m in _stored(factory).items()}
    assert got == {"m1": "en", "m2": "pt", "m3": None, "m4": "he", "m5": "fr"}


def test_csv_field_over_the_csv_limit_and_an_unclosed_quote_are_reported_by_line(
    factory: sessionmaker[Session], world: Any, tmp_path: Path
) -> None:
    src = tmp_path / "feed.csv"
    lines = [
        "id,text,created_at",
        "m1,first,2026-01-01T10:00:00Z",
        "m2," + "x" * (200 * 1024) + ",2026-01-01T10:01:00Z",
        "m3,third,2026-01-01T10:02:00Z",
        'm4,"never closed,2026-01-01T10:03:00Z',
    ]
    src.write_text("\n".join(lines) + "\n")
    out = import_file(factory, channel_id=world.channel.id, path=src)
    assert set(_stored(factory)) == {"m1", "m3"}
    assert out.error_count == 2
    assert out.errors[0].startswith("feed.csv:3: a field longer than 131,072 characters")
    assert out.errors[1].startswith("feed.csv:5: a quote opened on this line is never closed")


def test_csv_line_that_is_not_utf8_is_set_aside_naming_the_encoding(
    factory: sessionmaker[Session], world: Any, tmp_path: Path
) -> None:
    src = tmp_path / "latin.csv"
    src.write_bytes(
        b"id,text,created_at\nm1,ok,2026-01-01T10:00:00Z\nm2,caf\xe9,2026-01-01T10:01:00Z\n"
        b"m3,fine,2026-01-01T10:02:00Z\n"
    )
    out = import_file(factory, channel_id=world.channel.id, path=src)
    assert set(_stored(factory)) == {"m1", "m3"}
    assert out.errors == [
        "latin.csv:3: byte 0xe9 at column 7 is not UTF-8 (it looks like Windows-1252 / Latin-1); "
        "expected UTF-8 text; save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"
    ]


def test_an_interrupted_import_with_bad_records_resumes_and_finishes(
    factory: sessionmaker[Session], world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad record in every batch: the import stores the rest, is killed, and the next run finishes."""
    import tending.ingest.fileimport as fi

    records = [record(i) if i % 10 else _with(i, id="z" * 500 + str(i)) for i in range(60)]
    src = tmp_path / "feed.jsonl"
    src.write_text(jsonl(records))
    real = fi.ingest_items
    calls = {"n": 0}

    def dies_on_third_batch(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(fi, "ingest_items", dies_on_third_batch)
    with pytest.raises(KeyboardInterrupt):
        import_file(factory, channel_id=world.channel.id, path=src, batch_size=10)
    monkeypatch.setattr(fi, "ingest_items", real)
    out = import_file(factory, channel_id=world.channel.id, path=src, batch_size=10)
    assert out.resumed_from == 20
    assert len(_stored(factory)) == 54 and out.error_count == 4


def test_a_poll_page_with_a_bad_item_stores_the_rest_and_moves_on(
    factory: sessionmaker[Session], world: Any, settings: Settings
) -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    good = InboundItem(external_id="ok1", kind="comment", text="hello", created_at=now)
    bad = [
        InboundItem(external_id="n" * 301, kind="comment", text="long id", created_at=now),
        InboundItem(
            external_id="big",
            kind="comment",
            text="followers",
            created_at=now,
            author=AuthorProfile(external_id="a1", followers=2**40),
        ),
        InboundItem(external_id="lang", kind="comment", text="x", created_at=now, language="x" * 13),
        InboundItem(external_id="nul", kind="comment", text="a\x00b", created_at=now),
    ]
    pages = [FetchResult(items=[good, *bad], cursor={"page": 1}, has_more=True),
             FetchResult(items=[InboundItem(external_id="ok2", kind="comment", text="later", created_at=now)],
                         cursor={"page": 2})]  # fmt: skip

    class Pager(FakeConnector):
        def __init__(self) -> None:
            pass

        def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
            return pages[int(cursor.get("page", 0))]

        def close(self) -> None:
            pass

    out = poll_channel(
        factory, settings=settings, channel_id=world.channel.id, connector_factory=lambda c: Pager()
    )
    assert out.error is None and out.pages == 2
    stored = _stored(factory)
    assert set(stored) == {"ok1", "nul", "ok2"} and stored["nul"].text == "ab"
    assert sorted(a.external_id[:4] for a in out.stats.set_aside) == ["big", "lang", "nnnn"]
    with factory() as s:
        channel = s.get(Channel, world.channel.id)
        assert channel is not None and channel.cursor == {"page": 2} and channel.status == "active"
        assert s.scalar(select(func.count(Author.id)).where(Author.external_id == "a1")) == 0


def test_the_fast_path_keeps_only_what_the_model_would_keep() -> None:
    """`stored_as_is` may say yes only for items the model returns unchanged."""
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    base = {"external_id": "e1", "kind": "comment", "text": "hello", "created_at": now}
    variants: list[dict[str, Any]] = [
        {},
        {"language": "en"},
        {"language": "EN"},
        {"url": " "},
        {"text": "tab\tand\nline"},
        {"text": "x\x85y"},
        {"parent_external_id": " "},
        {"created_at": now.replace(tzinfo=None)},
        {"author": AuthorProfile(external_id="a", handle="h" * 201)},
        {"author": AuthorProfile(external_id="a", followers=3, bio="bio")},
        {"raw": '{"a": 1}'},
    ]
    for change in variants:
        item = InboundItem(**{**base, **change})
        if stored_as_is(item):
            assert screen_item(item) == item, change
