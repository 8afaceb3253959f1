"""Streaming export of a workspace's messages: time and peak Python memory for N messages.

    PYTHONPATH=src python bench/exports.py --messages 200000

The export must stay in constant memory whatever N is, so the peak is printed for two sizes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from tending.channel.models import Channel
from tending.config import Settings
from tending.database.core import Base, make_engine, make_session_factory
from tending.inbox.models import Conversation, Message
from tending.models import import_all_models
from tending.report.exports import EXPORTS, ExportFilters, csv_chunks
from tending.workspace.models import Workspace

START = datetime(2026, 1, 1, tzinfo=UTC)


def seed(factory: sessionmaker[Session], n: int) -> int:
    with factory() as s:
        ws = Workspace(name="Bench", slug="bench")
        s.add(ws)
        s.flush()
        ch = Channel(workspace_id=ws.id, network="fake", name="Bench", external_id="bench")
        s.add(ch)
        s.flush()
        conv = Conversation(workspace_id=ws.id, channel_id=ch.id, thread_key="t")
        s.add(conv)
        s.flush()
        batch = []
        for i in range(n):
            batch.append(
                {
                    "workspace_id": ws.id,
                    "channel_id": ch.id,
                    "conversation_id": conv.id,
                    "kind": "comment",
                    "direction": "inbound",
                    "external_id": f"m{i}",
                    "text": f'message {i}, with "quotes", about coffee',
                    "created_at": START + timedelta(seconds=20 * i),
                    "hidden": False,
                }
            )
            if len(batch) == 5000:
                s.execute(insert(Message), batch)
                batch = []
        if batch:
            s.execute(insert(Message), batch)
        s.commit()
        return ws.id


def run(factory: sessionmaker[Session], ws_id: int, until: datetime) -> tuple[float, int, int]:
    export = EXPORTS["messages"]
    tracemalloc.start()
    t0 = time.perf_counter()
    size = 0
    with factory() as s:
        rows = export.rows(s, ws_id, ExportFilters(since=START, until=until), until)
        for chunk in csv_chunks(export.columns, rows):
            size += len(chunk)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()
    import_all_models()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(Settings(data_dir=Path(tmp)))
        Base.metadata.create_all(engine)
        factory = make_session_factory(engine)
        t0 = time.perf_counter()
        ws_id = seed(factory, args.messages)
        print(f"seeded {args.messages} messages in {time.perf_counter() - t0:.1f} s")
        end = START + timedelta(seconds=20 * args.messages + 1)
        for label, until in (("a tenth", START + timedelta(seconds=2 * args.messages)), ("all", end)):
            elapsed, peak, size = run(factory, ws_id, until)
            print(f"{label}: {size / 1e6:.1f} MB of CSV in {elapsed:.2f} s, peak memory {peak / 1e6:.1f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()
