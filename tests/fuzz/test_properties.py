"""Property-based tests: the import readers account for every line whatever the bytes, and ingestion
stores each distinct network id once whatever the batches, duplicates and replays."""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import record

from tending.channel.models import Channel
from tending.inbox.models import Message
from tending.ingest.formats import read_csv, read_jsonl
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items

FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)

good_line = st.integers(0, 10_000).map(lambda n: orjson.dumps(record(n)))
junk_line = st.binary(max_size=120).map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" "))
line = st.one_of(good_line, junk_line)


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


@FAST
@given(lines=st.lists(line, max_size=30))
def test_read_jsonl_accounts_for_every_nonblank_line(lines: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "f.jsonl", b"\n".join(lines) + b"\n")
        parsed = list(read_jsonl(path))
    expected = [n for n, raw in enumerate(lines, start=1) if raw.strip()]
    assert [p.position for p in parsed] == expected
    for p in parsed:
        assert (p.item is None) != (p.error is None)


@FAST
@given(data=st.binary(max_size=2000))
def test_read_jsonl_never_raises_on_random_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        parsed = list(read_jsonl(_write(Path(tmp), "f.jsonl", data)))
    assert all((p.item is None) != (p.error is None) for p in parsed)
    assert len(parsed) <= data.count(b"\n") + 1


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@FAST
@given(rows=st.lists(st.lists(cell, min_size=1, max_size=5), max_size=15), with_header=st.booleans())
def test_read_csv_accounts_for_every_row(rows: list[list[str]], with_header: bool) -> None:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    if with_header:
        writer.writerow(["id", "text", "created_at"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        parsed = list(read_csv(_write(Path(tmp), "f.csv", buf.getvalue().encode())))
    assert all((p.item is None) != (p.error is None) for p in parsed)
    positions = [p.position for p in parsed]
    assert positions == sorted(set(positions))
    if with_header:
        # Every written row comes back as an item or an error (the csv module writes no blank rows).
        assert len(parsed) == len(rows)
    elif not rows or "id" not in rows[0]:
        assert len(parsed) <= 1  # no usable header: one clear error, nothing guessed


@FAST
@given(data=st.binary(max_size=2000))
def test_read_csv_never_raises_on_random_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            parsed = list(read_csv(_write(Path(tmp), "f.csv", data)))
        except UnicodeDecodeError:
            return  # reported by the importer as a clear file error (ImportFailed), not a crash
    assert all((p.item is None) != (p.error is None) for p in parsed)


batches = st.lists(st.lists(st.integers(0, 60), max_size=25), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(batches=batches, replay=st.booleans())
def test_ingestion_stores_each_distinct_id_once(
    factory: sessionmaker[Session], world, batches: list[list[int]], replay: bool
) -> None:
    with factory() as s:
        s.query(Message).delete()
        s.commit()
    plan = batches + (batches if replay else [])
    for ids in plan:
        items = [item_from_record(record(n), raw=None) for n in ids]
        with factory() as s:
            ch = s.get(Channel, world.channel.id)
            assert ch is not None
            ingest_items(s, channel=ch, items=items)
            s.commit()
    with factory() as s:
        stored = s.scalar(select(func.count(Message.id)).where(Message.channel_id == world.channel.id))
    assert stored == len({n for ids in batches for n in ids})
