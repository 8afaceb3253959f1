"""Faults during ingestion that need no extra processes: a full disk, a replayed page, 429s and 5xx
storms, and a PostgreSQL connection killed mid-poll."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from huey.exceptions import RetryTask
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import PG_URL
from tests.factories import jsonl, record

from tending.channel.models import Channel
from tending.config import Settings
from tending.connectors.bases import ConnectorContext, FetchResult, RateLimited, UpstreamError
from tending.connectors.fake.connector import FakeConnector
from tending.database.core import make_engine, make_session_factory
from tending.inbox.models import Message
from tending.ingest.fileimport import ImportFailed, import_file
from tending.ingest.models import ImportJob
from tending.ingest.poll import poll_channel
from tending.ingest.service import ingest_items


def _count(factory: sessionmaker[Session]) -> tuple[int, int]:
    with factory() as s:
        total = s.scalar(select(func.count(Message.id))) or 0
        distinct = s.scalar(select(func.count(func.distinct(Message.external_id)))) or 0
    return total, distinct


def _feed(tmp_path: Path, n: int) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "feed.jsonl"
    src.write_text(jsonl([record(i) for i in range(n)]))
    return src


@pytest.mark.skipif(bool(PG_URL), reason="SQLite page limits simulate a full disk; the PostgreSQL run skips")
def test_full_database_stops_import_clearly_and_resumes_after_space_is_freed(
    settings: Settings, world, tmp_path: Path
) -> None:
    engine = make_engine(settings)
    limit = {"pages": 0}

    @event.listens_for(engine, "connect")
    def _cap(dbapi_conn: Any, _rec: Any) -> None:
        if limit["pages"]:
            dbapi_conn.execute(f"PRAGMA max_page_count={limit['pages']}")

    factory = make_session_factory(engine)
    with engine.connect() as conn:
        used = conn.exec_driver_sql("PRAGMA page_count").scalar() or 0
    engine.dispose()
    limit["pages"] = int(used) + 60  # room for a few batches, not for 3,000 messages
    src = tmp_path / "big.jsonl"
    src.write_text(jsonl([record(i, text="lorem ipsum " * 20 + str(i)) for i in range(3000)]))
    with pytest.raises(ImportFailed, match="storage is full") as info:
        import_file(factory, channel_id=world.channel.id, path=src, batch_size=100)
    assert "resumes" in str(info.value)
    stored, distinct = _count(factory)
    with factory() as s:
        job = s.scalars(select(ImportJob)).one()
        assert 0 < job.records_done == stored < 3000 and distinct == stored
    engine.dispose()
    limit["pages"] = 0  # space freed
    out = import_file(factory, channel_id=world.channel.id, path=src, batch_size=100)
    assert out.resumed_from == stored
    assert _count(factory) == (3000, 3000)


def test_enospc_while_reading_keeps_committed_batches(
    factory: sessionmaker[Session], world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError(ENOSPC) from the write path (here: the reader's file system) stops with a clear error."""
    import tending.ingest.fileimport as fi

    src = _feed(tmp_path, 500)
    real = fi.readers

    def failing_readers() -> dict[str, Any]:
        def reader(path: Path) -> Any:
            for n, parsed in enumerate(real()["jsonl"](path)):
                if n == 250:
                    raise OSError(errno.ENOSPC, "No space left on device")
                yield parsed

        return {**real(), "jsonl": reader}

    monkeypatch.setattr(fi, "readers", failing_readers)
    with pytest.raises(ImportFailed, match="storage is full"):
        import_file(factory, channel_id=world.channel.id, path=src, batch_size=100)
    assert _count(factory) == (200, 200)
    monkeypatch.setattr(fi, "readers", real)
    out = import_file(factory, channel_id=world.channel.id, path=src, batch_size=100)
    assert out.resumed_from == 200 and _count(factory) == (500, 500)


def test_same_connector_page_replayed_twice_is_stored_once(
    factory: sessionmaker[Session], world, tmp_path: Path
) -> None:
    from tending.ingest.generic import item_from_record

    items = [item_from_record(r, raw=None) for r in (record(i) for i in range(40))]
    for _ in range(2):
        with factory() as s:
            ch = s.get(Channel, world.channel.id)
            assert ch is not None
            ingest_items(s, channel=ch, items=items + items[:5])
            s.commit()
    assert _count(factory) == (40, 40)


class FlakyNetwork(FakeConnector):
    """Fails the first `failures` calls (429 with a delay, or 5xx), then serves the feed."""

    failures = 0
    kind = "rate_limit"
    calls = 0

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        FlakyNetwork.calls += 1
        if FlakyNetwork.calls <= FlakyNetwork.failures:
            if FlakyNetwork.kind == "rate_limit":
                raise RateLimited("429 too many requests", retry_after=42, network="fake")
            raise UpstreamError("503 service unavailable", network="fake", status=503)
        return super().fetch_since(cursor)


@pytest.mark.parametrize(("kind", "delay"), [("rate_limit", 42), ("upstream", 60)])
def test_task_retries_with_the_networks_delay_then_recovers(
    factory: sessionmaker[Session],
    settings: Settings,
    world,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    delay: int,
) -> None:
    import tending.ingest.poll as poll_mod
    import tending.ingest.tasks as tasks

    src = _feed(settings.demo_dir, 30)
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert ch is not None
        ch.config = {"source": str(src), "page_size": 10}
        s.commit()
    FlakyNetwork.failures, FlakyNetwork.kind, FlakyNetwork.calls = 5, kind, 0
    monkeypatch.setattr(
        poll_mod,
        "build_connector",
        lambda channel, settings: FlakyNetwork(
            config=channel.config, context=ConnectorContext.from_settings(settings)
        ),
    )
    delays = []
    for _ in range(FlakyNetwork.failures):
        with pytest.raises(RetryTask) as info:
            tasks.poll_channel_task.call_local(world.channel.id)
        delays.append(info.value.delay)
    assert delays == [delay] * FlakyNetwork.failures
    result = tasks.poll_channel_task.call_local(world.channel.id)
    assert result["new"] == 30 and result["error"] is None
    assert _count(factory) == (30, 30)


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TENDING_TEST_DATABASE_URL)")
def test_postgres_connection_killed_mid_poll_loses_and_duplicates_nothing(
    factory: sessionmaker[Session], settings: Settings, world, tmp_path: Path, engine
) -> None:
    """pg_terminate_backend on the ingest connections between pages (a database restart as the
    client sees it, without stopping the shared server): the poll resumes from the stored cursor."""
    src = _feed(settings.demo_dir, 120)
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert ch is not None
        ch.config = {"source": str(src), "page_size": 10}
        s.commit()
    kills = {"n": 0}

    def kill_others(_stats: Any) -> None:
        if kills["n"] < 3:
            kills["n"] += 1
            with engine.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = 'tending-fault-ingest'"
                    )
                )
                conn.commit()

    # Only this test's own ingest connections are killed: others may share the server.
    ingest_engine = create_engine(
        str(PG_URL), pool_pre_ping=True, connect_args={"application_name": "tending-fault-ingest"}
    )
    ingest_factory = make_session_factory(ingest_engine)
    for _attempt in range(10):
        try:
            out = poll_channel(
                ingest_factory, settings=settings, channel_id=world.channel.id, on_batch=kill_others
            )
        except Exception:
            continue
        if out.error is None and _count(factory)[0] == 120:
            break
    ingest_engine.dispose()
    assert kills["n"] == 3
    assert _count(factory) == (120, 120)
