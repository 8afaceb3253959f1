"""Webhook to inbox: how long a Meta comment notification takes to become a stored, triaged message.

    .venv/bin/python bench/webhook.py --mode inline --events 200
    .venv/bin/python bench/webhook.py --mode worker --events 200 [--max-delay 10] [--gap-max 1.5]

A fresh SQLite install (embedded mode) with one Facebook Page channel and `--background` messages
already in its inbox. Each event is a Page `feed` comment notification shaped like Meta's, signed with
the app secret and POSTed to `/api/v1/webhooks/meta` through the real app (in-process ASGI, no socket).

- `inline`: tasks run inside the request (`TENDING_QUEUE_IMMEDIATE`), so the answer comes once the
  message is stored and triaged: the work itself.
- `worker`: the request queues the notification on the SQLite queue and answers; a `tending worker`
  process (started here, its consumer's idle poll bounded by `--max-delay`) stores it and queues triage.
  The clock stops when the message has an intent, read from the database every 5 ms. Events arrive at
  random gaps of 0.2 s to `--gap-max` (1.5 s), so the consumer
  is idle between them, as it is on a real desk.

Prints p50/p95/max of the latency and of Meta's answer time, after one warm-up event.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PAGE = "104000000000001"
SECRET = "bench-meta-app-secret"
WORDS = [
    "order",
    "delivery",
    "coffee",
    "espresso",
    "refund",
    "late",
    "thanks",
    "love",
    "broken",
    "subscription",
    "beans",
    "roast",
    "price",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def notification(n: int, rng: random.Random) -> bytes:
    post = f"{PAGE}_9000000000000{n % 7}"
    value = {
        "from": {"id": f"71000000{rng.randrange(10**8):08d}", "name": f"Person {n}"},
        "post": {"id": post, "status_type": "added_photos", "is_published": True},
        "message": " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 18))) + "?",
        "post_id": post,
        "comment_id": f"9000000000000{n % 7}_{6000000000 + n}",
        "created_time": int(time.time()),
        "item": "comment",
        "parent_id": post,
        "verb": "add",
    }
    payload = {
        "object": "page",
        "entry": [{"id": PAGE, "time": int(time.time()), "changes": [{"field": "feed", "value": value}]}],
    }
    return orjson.dumps(payload)


def setup(data_dir: Path, background: int) -> None:
    from tending.channel.models import ChannelCreate
    from tending.channel.service import create as create_channel
    from tending.config import Settings
    from tending.connectors.bases import AuthorProfile, InboundItem
    from tending.database.core import make_engine, make_session_factory
    from tending.database.migrate import upgrade
    from tending.ingest.service import ingest_items
    from tending.workspace.models import WorkspaceCreate
    from tending.workspace.service import create as create_workspace

    settings = Settings(data_dir=data_dir)
    engine = make_engine(settings)
    upgrade(engine)
    factory = make_session_factory(engine)
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=30)
    with factory() as s:
        ws = create_workspace(s, workspace_in=WorkspaceCreate(name="Bench Coffee", slug="bench"))
        channel = create_channel(
            s,
            settings=settings,
            workspace_id=ws.id,
            channel_in=ChannelCreate(
                network="facebook",
                name="Bench on Facebook",
                external_id=PAGE,
                config={"page_id": PAGE},
                credentials={"page_access_token": "unused"},
            ),
        )
        s.commit()
        for first in range(0, background, 5000):
            items = [
                InboundItem(
                    external_id=f"bg_{i}",
                    kind="comment",
                    text=" ".join(rng.choice(WORDS) for _ in range(10)),
                    created_at=start + timedelta(seconds=i * 20),
                    author=AuthorProfile(external_id=f"bg-author-{i % 3000}", name=f"Author {i % 3000}"),
                    thread_external_id=f"{PAGE}_bg{i // 20}",
                )
                for i in range(first, min(first + 5000, background))
            ]
            ingest_items(s, channel=channel, items=items)
            s.commit()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["inline", "worker"], default="inline")
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--background", type=int, default=20000)
    parser.add_argument(
        "--gap-max", type=float, default=1.5, help="worker mode: longest random gap between events, s"
    )
    parser.add_argument(
        "--max-delay", type=float, default=None, help="worker mode: the consumer's idle poll bound, s"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="tending-webhook-bench-"))
    env = {
        "TENDING_DATA_DIR": str(tmp),
        "TENDING_META_APP_SECRET": SECRET,
        "TENDING_META_VERIFY_TOKEN": "bench",
        "TENDING_QUEUE_IMMEDIATE": "true" if args.mode == "inline" else "false",
        "TENDING_LOG_LEVEL": "WARNING",
    }
    if args.max_delay is not None:
        env["TENDING_WORKER_MAX_DELAY_S"] = str(args.max_delay)
    os.environ.update(env)  # before tending is imported: the queue is made from the settings at import

    setup(tmp, args.background)

    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from tending.app import create_app
    from tending.config import get_settings
    from tending.connectors.graph.webhook import sign
    from tending.inbox.models import Message

    worker = None
    if args.mode == "worker":
        worker = subprocess.Popen(
            [str(ROOT / ".venv/bin/tending"), "worker", "--workers", "2"], env={**os.environ}, cwd=tmp
        )
    settings = get_settings()
    app = create_app(settings)
    factory = app.state.session_factory
    rng = random.Random(11)
    latencies: list[float] = []
    answers: list[float] = []
    try:
        with TestClient(app) as client:
            for n in range(args.events + 1):
                body = notification(n, rng)
                comment_id = orjson.loads(body)["entry"][0]["changes"][0]["value"]["comment_id"]
                headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, SECRET)}
                t0 = time.perf_counter()
                r = client.post("/api/v1/webhooks/meta", content=body, headers=headers)
                answered = time.perf_counter() - t0
                assert r.status_code == 200, r.text
                deadline = t0 + (120 if n == 0 else 30)
                while True:
                    with factory() as s:
                        intent = s.scalar(select(Message.intent).where(Message.external_id == comment_id))
                    if intent is not None:
                        break
                    if time.perf_counter() > deadline:
                        raise SystemExit(f"event {n}: not stored and triaged within the deadline")
                    time.sleep(0.005)
                if n:  # the first event loads the triage model
                    latencies.append(time.perf_counter() - t0)
                    answers.append(answered)
                if args.mode == "worker":
                    time.sleep(rng.uniform(0.2, args.gap_max))
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        app.state.engine.dispose()

    def ms(values: list[float]) -> dict[str, Any]:
        return {
            "p50": round(statistics.median(values) * 1000, 1),
            "p95": round(percentile(values, 0.95) * 1000, 1),
            "max": round(max(values) * 1000, 1),
        }

    print(
        f"mode={args.mode} events={len(latencies)} background={args.background} "
        f"max_delay={args.max_delay} gap_max={args.gap_max if args.mode == 'worker' else None}"
    )
    print("webhook to stored, triaged message (ms):", ms(latencies))
    print("answer to Meta (ms):", ms(answers))


if __name__ == "__main__":
    main()
