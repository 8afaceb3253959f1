"""How long after one person's reply the other person's open thread shows the collision notice.

    .venv/bin/python bench/collision_notice.py [--trials 20] [--workdir DIR]

Two people log in (two in-process clients of one app, SQLite). Both open the same waiting item; the
first one's page sends its heartbeat every `HEARTBEAT_SECONDS`, as the thread page does; the second
replies at a random moment. The delay is the time from the reply's response to the first heartbeat
answer that carries the notice: the poll interval's wait plus the server's time, which is what a person
sees. Also printed: the heartbeat's own server time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient
from pages import EMAIL, PASSWORD, build
from sqlalchemy import select

from ingest import percentile
from tending.app import create_app
from tending.auth.models import Role, User, UserCreate
from tending.auth.service import create_user
from tending.database.core import make_engine, make_session_factory
from tending.inbox.models import Message
from tending.presence.service import HEARTBEAT_SECONDS

SECOND = ("second@bench.local", "second-bench-password")


def _login(client: TestClient, email: str, password: str) -> None:
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    client.headers["X-CSRF-Token"] = client.get("/api/v1/auth/csrf").json()["csrf_token"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tending-collision-"))
    settings = build(work, args.items)
    factory = make_session_factory(make_engine(settings))
    with factory() as s:
        if s.scalar(select(User).where(User.email == SECOND[0])) is None:
            create_user(
                s, user_in=UserCreate(email=SECOND[0], name="Second", password=SECOND[1], role=Role.admin)
            )
            s.commit()
        convs = list(
            s.scalars(
                select(Message.conversation_id)
                .where(Message.reply_state == "needs_reply")
                .group_by(Message.conversation_id)
                .limit(args.trials)
            )
        )
    app = create_app(settings)
    watcher, writer = TestClient(app), TestClient(app)
    _login(watcher, EMAIL, PASSWORD)
    _login(writer, *SECOND)
    delays: list[float] = []
    beats: list[float] = []
    rng = random.Random(7)
    for n, conv in enumerate(convs):
        page = watcher.get(f"/w/bench/inbox/{conv}").text
        seen = page.split('id="seen-up-to" value="')[1].split('"')[0]
        sent_at: list[float] = []
        stop = threading.Event()

        def poll(
            conv: int = conv, seen: str = seen, sent_at: list[float] = sent_at, stop: threading.Event = stop
        ) -> None:
            while not stop.is_set():
                t = time.perf_counter()
                body = watcher.post(f"/w/bench/inbox/{conv}/presence", data={"seen_up_to": seen}).text
                beats.append((time.perf_counter() - t) * 1000)
                if sent_at and "collision-notice" in body:
                    delays.append(time.perf_counter() - sent_at[0])
                    return
                stop.wait(HEARTBEAT_SECONDS)

        thread = threading.Thread(target=poll)
        thread.start()
        time.sleep(rng.uniform(0.5, 0.5 + HEARTBEAT_SECONDS))
        r = writer.post(
            f"/api/v1/workspaces/1/conversations/{conv}/reply", json={"text": f"On it ({n}), checking now."}
        )
        assert r.status_code == 201, r.text
        sent_at.append(time.perf_counter())
        thread.join(timeout=3 * HEARTBEAT_SECONDS)
        stop.set()
    print(f"heartbeat every {HEARTBEAT_SECONDS} s; {len(delays)} of {len(convs)} notices seen")
    print(
        f"notice delay after the reply: median {statistics.median(delays):.2f} s, "
        f"p95 {percentile(delays, 95):.2f} s, max {max(delays):.2f} s"
    )
    print(f"heartbeat server time: p50 {statistics.median(beats):.1f} ms, p95 {percentile(beats, 95):.1f} ms")


if __name__ == "__main__":
    main()
