"""Listening results stored per second, side by side with the desk's messages, on the embedded SQLite.

    .venv/bin/python bench/listening.py --items 100000

Generates N public posts (generic format, 20,000 authors) and stores them, in batches of 5,000, through
`tending.listening.ingest.store_results` (screen, one lookup of stored ids, one executemany insert) then
`triage_results` (one vectorised batch, one bulk update), each timed, and, in the same run, through the
desk's `ingest_items` (screen, authors, conversations, messages; its triage runs later, in the worker).
A second pass of the same batches shows a re-run stores and triages nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import func, select

from tending.channel.models import ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.connectors.bases import AuthorProfile, InboundItem
from tending.database.core import make_engine, make_session_factory
from tending.database.migrate import upgrade
from tending.ingest.service import IngestCache, ingest_items
from tending.listening.ingest import store_results, triage_results
from tending.listening.models import ListeningQuery, ListeningResult
from tending.workspace.models import WorkspaceCreate
from tending.workspace.service import create as create_workspace

WORDS = [
    "northwind",
    "cold",
    "brew",
    "recall",
    "coffee",
    "sick",
    "refund",
    "love",
    "great",
    "roast",
    "beans",
    "late",
    "shop",
    "price",
    "taste",
]
BATCH = 5000


def posts(n: int, seed: int = 1) -> list[InboundItem]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        author = rng.randrange(20_000)
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))
        out.append(
            InboundItem(
                external_id=f"pub-{i}",
                kind="post",
                text=f"Northwind {text}",
                created_at=start + timedelta(seconds=i * 7),
                author=AuthorProfile(external_id=f"a{author}", handle=f"user{author}", name=f"User {author}"),
                url=f"https://fake.example/pub-{i}",
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    items = posts(args.items)
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", demo_connectors=True)
        engine = make_engine(settings)
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as s:
            ws = create_workspace(s, workspace_in=WorkspaceCreate(name="Bench", slug="bench"))
            ch = create_channel(
                s,
                settings=settings,
                workspace_id=ws.id,
                channel_in=ChannelCreate(network="fake", name="bench", external_id="bench"),
            )
            query = ListeningQuery(workspace_id=ws.id, name="bench", terms=["northwind"], networks=["fake"])
            s.add(query)
            s.commit()
            ws_id, ch_id, q_id = ws.id, ch.id, query.id

        from tending.triage.classify import classify_texts

        classify_texts(["warm up the model"])

        def listening_pass() -> tuple[float, float, int]:
            new, store_s, triage_s = 0, 0.0, 0.0
            for batch in batches:
                with factory() as s:
                    t0 = time.perf_counter()
                    stats = store_results(
                        s, workspace_id=ws_id, query_id=q_id, network="fake", channel_id=ch_id, items=batch
                    )
                    t1 = time.perf_counter()
                    triage_results(s, stats.new_ids)
                    s.commit()
                    store_s += t1 - t0
                    triage_s += time.perf_counter() - t1
                    new += stats.new
            return store_s, triage_s, new

        listen_s, triage_s, listen_new = listening_pass()
        again_s, _again_triage, again_new = listening_pass()

        from tending.channel.models import Channel

        cache = IngestCache()
        t0 = time.perf_counter()
        for batch in batches:
            with factory() as s:
                channel = s.get(Channel, ch_id)
                assert channel is not None
                ingest_items(s, channel=channel, items=batch, cache=cache)
                s.commit()
        desk_s = time.perf_counter() - t0
        with factory() as s:
            stored = s.scalar(select(func.count(ListeningResult.id)))
        n = len(items)
        print(f"items: {n}; results stored: {stored} (new {listen_new}); re-run new: {again_new}")
        print(
            f"listening store_results (screen + set-based insert): {n / listen_s:,.0f} /s ({listen_s:.1f} s)"
        )
        print(
            f"listening triage_results (one batch + bulk update): {n / triage_s:,.0f} /s ({triage_s:.1f} s)"
        )
        print(f"re-run of the same batches (nothing new, nothing triaged): {again_s:.1f} s")
        print(
            "desk ingest_items, same items (its triage runs later, in the worker): "
            f"{n / desk_s:,.0f} /s ({desk_s:.1f} s)"
        )


if __name__ == "__main__":
    main()
