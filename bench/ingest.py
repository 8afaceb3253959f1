"""Ingestion throughput and inbox latency at scale, on the embedded SQLite default.

    .venv/bin/python bench/ingest.py --items 1000000

Generates a JSONL import of N items in the generic format (threads of a post with comments and replies,
50,000 authors, DMs), imports it through the real import path (`tending import`'s code) into a fresh
SQLite database, and reports messages/s. Then times the inbox list query (the API's code path) for the
filters a team uses — default view, open only, one channel, one assignee, a text search — and prints
p50/p95 per filter.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import func, select, update

from tending.auth.models import Role, UserCreate
from tending.auth.service import create_user
from tending.channel.models import ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.database.core import make_engine, make_session_factory
from tending.database.migrate import upgrade
from tending.inbox.models import Conversation, Message
from tending.inbox.service import list_conversations
from tending.ingest.fileimport import import_file
from tending.workspace.models import WorkspaceCreate
from tending.workspace.service import create as create_workspace

WORDS = [
    "order",
    "delivery",
    "coffee",
    "espresso",
    "grinder",
    "refund",
    "late",
    "thanks",
    "love",
    "great",
    "broken",
    "subscription",
    "beans",
    "roast",
    "price",
    "shop",
    "open",
    "sunday",
    "help",
    "please",
    "where",
    "when",
    "why",
    "how",
    "card",
    "account",
    "app",
    "points",
    "box",
    "stale",
    "cold",
    "brew",
]


def generate(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    authors = [
        {
            "id": f"u{i}",
            "handle": f"user{i}",
            "name": f"User {i}",
            "followers": rng.randint(0, 5000),
            "following": rng.randint(0, 2000),
            "created_at": "2019-05-01T00:00:00+00:00",
        }
        for i in range(50_000)
    ]
    with path.open("wb") as out:
        post = None
        for i in range(n):
            at = start + timedelta(seconds=i * 7)
            roll = rng.random()
            text = " ".join(rng.choices(WORDS, k=rng.randint(4, 18)))
            if post is None or roll < 0.08:
                rec = {
                    "id": f"p{i}",
                    "kind": "post",
                    "direction": "outbound",
                    "text": text,
                    "created_at": at.isoformat(),
                    "author": {"id": "brand", "handle": "brand"},
                }
                post = rec["id"]
            elif roll < 0.15:
                rec = {
                    "id": f"d{i}",
                    "kind": "direct",
                    "thread_id": f"dm-{rng.randint(0, 40_000)}",
                    "text": text,
                    "created_at": at.isoformat(),
                    "author": rng.choice(authors),
                }
            elif roll < 0.25:
                rec = {
                    "id": f"r{i}",
                    "kind": "reply",
                    "direction": "outbound",
                    "parent_id": post,
                    "thread_id": post,
                    "text": text,
                    "created_at": at.isoformat(),
                    "author": {"id": "brand", "handle": "brand"},
                }
            else:
                rec = {
                    "id": f"c{i}",
                    "kind": "comment",
                    "parent_id": post,
                    "thread_id": post,
                    "text": text,
                    "created_at": at.isoformat(),
                    "author": rng.choice(authors),
                }
            out.write(orjson.dumps(rec))
            out.write(b"\n")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=200, help="timed runs per inbox filter")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tending-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    src = work / "import.jsonl"
    t0 = time.perf_counter()
    generate(src, args.items)
    print(
        f"generated {args.items:,} items ({src.stat().st_size / 1e6:.0f} MB) "
        f"in {time.perf_counter() - t0:.1f}s"
    )

    settings = Settings(data_dir=work / "data", demo_connectors=True)  # `fake` channels
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
        ch2 = create_channel(
            s,
            settings=settings,
            workspace_id=ws.id,
            channel_in=ChannelCreate(network="fake", name="quiet", external_id="quiet"),
        )
        users = [
            create_user(
                s,
                user_in=UserCreate(
                    email=f"a{i}@bench.local", name=f"A{i}", password="benchmark", role=Role.member
                ),
                workspace_ids=[ws.id],
            )
            for i in range(5)
        ]
        s.commit()
        ws_id, ch_id, ch2_id, user_ids = ws.id, ch.id, ch2.id, [u.id for u in users]

    t0, cpu0 = time.perf_counter(), time.process_time()
    out = import_file(factory, channel_id=ch_id, path=src, batch_size=args.batch_size, keep_new_ids=False)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    rate = out.new / elapsed
    print(
        f"ingested {out.new:,} messages in {elapsed:.1f}s: {rate:,.0f} messages/s "
        f"(batch {args.batch_size}, target >= 20,000)"
    )
    # CPU time of this process is steadier than wall time on a shared machine (SQLite runs in-process).
    print(f"ingestion CPU time {cpu:.2f}s: {out.new / cpu:,.0f} messages per CPU-second")
    t0 = time.perf_counter()
    again = import_file(factory, channel_id=ch_id, path=src, batch_size=args.batch_size)
    print(f"re-import of the same file: already_done={again.already_done} in {time.perf_counter() - t0:.1f}s")

    with factory() as s:
        conv_count = s.scalar(select(func.count(Conversation.id)))
        msg_count = s.scalar(select(func.count(Message.id)))
        # spread assignees like a working team would
        for i, uid in enumerate(user_ids):
            s.execute(update(Conversation).where(Conversation.id % 7 == i).values(assignee_id=uid))
        s.commit()
    print(f"database: {msg_count:,} messages in {conv_count:,} conversations")

    filters: dict[str, dict[str, Any]] = {
        "default (newest first)": {},
        "status=open": {"status": "open"},
        "needs reply": {"needs_reply": True},
        "one channel (quiet one)": {"channel_id": ch2_id},
        "one assignee": {"assignee_id": user_ids[2]},
        "text search 'refund'": {"q": "refund"},
        "search + open": {"q": "grinder broken", "status": "open"},
        "page 5 via cursor": {"pages": 5},
    }
    print(f"\ninbox list query, {args.queries} runs each (limit 50):")
    print(f"{'filter':28s} {'p50 ms':>8s} {'p95 ms':>8s} {'rows':>5s}")
    results = {}
    with factory() as s:
        for name, f in filters.items():
            times = []
            rows: list[Any] = []
            for _ in range(args.queries):
                t = time.perf_counter()
                if "pages" in f:
                    cursor = None
                    for _p in range(f["pages"]):
                        rows, cursor = list_conversations(s, workspace_id=ws_id, cursor=cursor, limit=50)
                else:
                    rows, _c = list_conversations(s, workspace_id=ws_id, limit=50, **f)
                times.append((time.perf_counter() - t) * 1000)
            p50, p95 = statistics.median(times), percentile(times, 95)
            results[name] = (p50, p95)
            print(f"{name:28s} {p50:8.2f} {p95:8.2f} {len(rows):5d}")
    worst = max(p95 for _p50, p95 in results.values())
    print(f"\nworst p95: {worst:.2f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
