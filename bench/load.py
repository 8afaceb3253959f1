"""Load against the scaled mode on loopback: PostgreSQL, Huey on Redis, `tending serve` and `tending worker`
processes started here, while a few threads read the inbox API over HTTP with a real API token.

Inbound messages come through the fake connector (JSONL feeds served page by page) and are processed by
Huey tasks: polling stores them and hands them to every `on_new_messages` hook found in the code (the
report names them; triage is one). Two kinds of phase, each run with one consumer and with two, on fresh
channels of a fresh workspace:

- **burst** (maximum throughput): every channel's feed is full before the clock starts; polls are queued
  at once and the phase ends when all messages are stored *and triaged*.
- **sustained**: the feeds start empty and grow at a steady offered rate (`--rate` messages/s over all
  channels) for `--duration` seconds, as traffic arrives; polls are queued every `--poll-every` seconds,
  as scheduled polls or webhooks would; the phase ends when everything offered is stored and triaged.

"Fully triaged" is checked in the database: every inbound message of the phase's workspace has its
triage result stored (`sentiment` is set), and the Huey queue is drained. The inbox is read during the
whole phase (`GET /api/v1/workspaces/{id}/conversations?limit=50`, round-robin over the servers).

    python bench/load.py --messages 40000 --rate 2000 --duration 30

Needs PostgreSQL and Redis (see tests/scale/cluster.py for the URLs it uses).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import httpx
import orjson
from sqlalchemy import text
from tests.scale.cluster import Cluster, enqueue_polls, make_cluster, seed, unavailable_reason, wait_until

BASE_PORT = 18700


@dataclass
class Reads:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0


def _reader(
    urls: list[str], path: str, token: str, stop: threading.Event, out: Reads, lock: threading.Lock
) -> None:
    clients = [
        httpx.Client(base_url=u, headers={"Authorization": f"Bearer {token}"}, timeout=10) for u in urls
    ]
    n = 0
    while not stop.is_set():
        client = clients[n % len(clients)]
        n += 1
        t = time.perf_counter()
        try:
            r = client.get(path, params={"limit": 50})
            ok = r.status_code == 200
        except httpx.HTTPError:
            ok = False
        ms = (time.perf_counter() - t) * 1000
        with lock:
            if ok:
                out.latencies_ms.append(ms)
            else:
                out.errors += 1
    for c in clients:
        c.close()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q / 100 * len(s)))]


def _progress(cluster: Cluster, workspace_id: int) -> tuple[int, int]:
    """Inbound messages stored in the workspace, and how many of them carry their triage result."""
    with cluster.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT count(*), count(sentiment) FROM message "
                "WHERE workspace_id = :ws AND direction = 'inbound'"
            ),
            {"ws": workspace_id},
        ).one()
    return int(row[0]), int(row[1])


def _api_token(cluster: Cluster, workspace_id: int, user_id: int) -> str:
    from tending.auth.models import User
    from tending.auth.service import create_api_token
    from tending.database.core import make_session_factory

    with make_session_factory(cluster.engine)() as s:
        user = s.get(User, user_id)
        assert user is not None
        _, token = create_api_token(s, user=user, workspace_id=workspace_id, name="bench")
        s.commit()
    return token


class CpuMeter:
    """CPU seconds used during a phase by role (consumers, servers, the database's backends for this
    database, this process), sampled from /proc so that exited processes keep their last reading."""

    def __init__(self, database: str, children: list[int], servers: list[int]) -> None:
        self.database, self.children, self.servers = database, set(children), set(servers)
        self.seen: dict[int, tuple[str, float]] = {}
        self.start: dict[int, float] = {}
        self.tick = os.sysconf("SC_CLK_TCK")
        self.sample(first=True)

    def _role(self, pid: int) -> str | None:
        if pid == os.getpid():
            return "bench"
        if pid in self.children:
            return "consumers"
        if pid in self.servers:
            return "servers"
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return "postgres" if cmd.startswith(b"postgres:") and self.database.encode() in cmd else None

    def sample(self, first: bool = False) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            role = self.seen[pid][0] if pid in self.seen else self._role(pid)
            if role is None:
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used = (int(fields[11]) + int(fields[12])) / self.tick
            self.seen[pid] = (role, used)
            if first or pid not in self.start:
                self.start[pid] = used if first else 0.0

    def totals(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for pid, (role, used) in self.seen.items():
            out[role] = out.get(role, 0.0) + used - self.start.get(pid, 0.0)
        return out


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_idle(pids: list[int], *, least: float = 6.0, most: float = 90.0) -> None:
    """Wait at least `least` seconds, then until the processes use under 10 % of a core for a second."""
    time.sleep(least)
    if not Path("/proc/self/stat").exists():
        return
    deadline = time.monotonic() + most
    before = sum(_cpu_seconds(p) for p in pids)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = sum(_cpu_seconds(p) for p in pids)
        if now - before < 0.1 * len(pids):
            return
        before = now


def _record(c: int, i: int) -> bytes:
    """One inbound message in the generic format (the same shape the burst feeds are seeded with)."""
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(seconds=i)
    rec = {
        "id": f"c{c}-m{i}",
        "text": f"message {i} on channel {c}: is the espresso blend back?",
        "created_at": at.isoformat(),
        "thread_id": f"t{i % 50}",
        "author": {"id": f"u{i % 97}", "handle": f"user{i % 97}"},
    }
    return orjson.dumps(rec) + b"\n"


def _feeder(files: list[Path], rate: float, duration: float, t0: float, sent: list[int]) -> None:
    """Append messages to the channels' feeds at `rate` a second in total, evenly, for `duration` s."""
    fds = [os.open(f, os.O_WRONLY | os.O_APPEND) for f in files]
    per_channel = [0] * len(files)
    try:
        while True:
            elapsed = min(time.perf_counter() - t0, duration)
            due = int(elapsed * rate)
            for c, fd in enumerate(fds):
                want = due // len(fds) + (1 if c < due % len(fds) else 0)
                if want > per_channel[c]:
                    os.write(fd, b"".join(_record(c, i) for i in range(per_channel[c], want)))
                    per_channel[c] = want
            sent[0] = sum(per_channel)
            if elapsed >= duration:
                return
            time.sleep(0.05)
    finally:
        for fd in fds:
            os.close(fd)


def run_phase(
    cluster: Cluster,
    *,
    kind: str,
    consumers: int,
    args: argparse.Namespace,
    urls: list[str],
) -> dict[str, float | str]:
    sustained = kind == "sustained"
    demo_dir = cluster.data_dir / "demo"  # the only folder the `fake` connector reads
    demo_dir.mkdir(parents=True, exist_ok=True)
    feed_dir = Path(tempfile.mkdtemp(prefix="feeds-", dir=demo_dir))
    per_channel = 0 if sustained else args.messages // args.channels
    world = seed(
        cluster,
        channels=args.channels,
        messages_per_channel=per_channel,
        page_size=args.page_size,
        feed_dir=feed_dir,
    )
    files = [next(feed_dir.glob(f"feed-*-{c}.jsonl")) for c in range(args.channels)]
    # Marked as just polled: the consumers' minute-by-minute scheduler (`poll_due_channels`) would
    # otherwise poll the full feeds while the consumers warm up, before the clock starts.
    with cluster.engine.begin() as conn:
        conn.execute(
            text("UPDATE channel SET last_polled_at = now() WHERE id = ANY(:ids)"), {"ids": world.channel_ids}
        )
    target = int(args.rate * args.duration) if sustained else per_channel * args.channels
    token = _api_token(cluster, world.workspace_id, world.user_id)
    workers = [cluster.start_worker(threads=args.threads) for _ in range(consumers)]
    _wait_idle([w.pid for w in workers])  # consumers import, connect and load the models before the clock
    huey = cluster.huey()
    reads, lock, stop = Reads(), threading.Lock(), threading.Event()
    path = f"/api/v1/workspaces/{world.workspace_id}/conversations"
    pool = [
        threading.Thread(target=_reader, args=(urls, path, token, stop, reads, lock))
        for _ in range(args.readers)
    ]
    sent = [target if not sustained else 0]
    meter = (
        CpuMeter(
            cluster.engine.url.database or "",
            [w.pid for w in workers],
            [p.pid for p in cluster.procs if p not in workers],
        )
        if Path("/proc/self/stat").exists()
        else None
    )
    t0 = time.perf_counter()
    feeder = None
    if sustained:
        feeder = threading.Thread(target=_feeder, args=(files, args.rate, args.duration, t0, sent))
        feeder.start()
    for t in pool:
        t.start()
    if not sustained:
        enqueue_polls(cluster, world.channel_ids)
    stored_at = triaged_at = None
    last_poll = time.perf_counter()
    max_backlog = 0
    while time.perf_counter() - t0 < args.timeout:
        stored, triaged = _progress(cluster, world.workspace_id)
        max_backlog = max(max_backlog, sent[0] - triaged)
        now = time.perf_counter()
        if stored >= target and stored_at is None:
            stored_at = now
        pending = huey.pending_count()
        if stored_at is not None and triaged >= target and pending == 0:
            triaged_at = now
            break
        if sustained:
            # Polls arrive on a schedule, as `poll_due_channels` or a webhook would queue them; a
            # channel whose poll is still queued is not queued again.
            if now - last_poll >= args.poll_every and pending < len(world.channel_ids):
                enqueue_polls(cluster, world.channel_ids)
                last_poll = now
        elif pending == 0 and stored < target:
            enqueue_polls(cluster, world.channel_ids)  # a poll takes 50 pages at most, as scheduled polls do
        if meter is not None:
            meter.sample()
        # Counting scans the phase's messages: every 0.2 s keeps the bench's own load on PostgreSQL small.
        time.sleep(0.2)
    t1 = time.perf_counter()
    stop.set()
    for t in pool:
        t.join()
    if feeder is not None:
        feeder.join()
    cpu = meter.totals() if meter is not None else {}
    for w in workers:
        cluster.kill(w)
    stored, triaged = _progress(cluster, world.workspace_id)
    end = triaged_at or t1
    return {
        "kind": kind,
        "consumers": consumers,
        "offered": args.rate if sustained else float("nan"),
        "messages": target,
        "stored": stored,
        "triaged": triaged,
        "complete": "yes" if triaged_at is not None and stored == target == triaged else "NO",
        "stored_s": (stored_at or t1) - t0,
        "seconds": end - t0,
        "lag_s": end - t0 - args.duration if sustained else float("nan"),
        "max_backlog": max_backlog,
        "msgs_per_s": triaged / (end - t0),
        "reads": len(reads.latencies_ms),
        "read_errors": reads.errors,
        "p50": _pct(reads.latencies_ms, 50),
        "p95": _pct(reads.latencies_ms, 95),
        "p99": _pct(reads.latencies_ms, 99),
        "cpu": " ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items())),
        "mean": statistics.fmean(reads.latencies_ms) if reads.latencies_ms else float("nan"),
    }


def _report(results: list[dict[str, float | str]], hooks: list[str], args: argparse.Namespace) -> None:
    print("pipeline: fake connector poll → ingest (store, search index, stats, conversations) → hooks:")
    print("  " + (", ".join(hooks) or "(none)"))
    print(
        f"servers: {args.servers} × tending serve; readers: {args.readers} threads; "
        f"consumer threads: {args.threads}; page size: {args.page_size}; channels: {args.channels}; "
        f"sustained: {args.rate:g} msg/s offered for {args.duration:g} s, polls every {args.poll_every:g} s"
    )
    print(
        f"{'phase':>9} {'cons':>4} {'messages':>8} {'triaged':>8} {'done':>4} {'stored s':>8} "
        f"{'total s':>7} {'lag s':>5} {'backlog':>7} {'msg/s':>6} {'reads':>5} {'err':>3} "
        f"{'p50 ms':>6} {'p95 ms':>6} {'p99 ms':>6}"
    )
    for r in results:
        print(
            f"{r['kind']:>9} {r['consumers']:>4} {r['messages']:>8} {r['triaged']:>8} {r['complete']:>4} "
            f"{r['stored_s']:>8.1f} {r['seconds']:>7.1f} {r['lag_s']:>5.1f} {r['max_backlog']:>7} "
            f"{r['msgs_per_s']:>6.0f} {r['reads']:>5} {r['read_errors']:>3} {r['p50']:>6.1f} "
            f"{r['p95']:>6.1f} {r['p99']:>6.1f}"
        )
    print("CPU seconds used during each phase (2 cores: at most 2 s per second):")
    for r in results:
        print(f"  {r['kind']} × {r['consumers']}: {r['cpu']}  (phase {r['seconds']:.1f} s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=40000, help="inbound messages per burst phase")
    ap.add_argument("--rate", type=float, default=2000, help="offered msg/s in the sustained phases")
    ap.add_argument("--duration", type=float, default=30, help="seconds of offered load (sustained)")
    ap.add_argument("--poll-every", type=float, default=1.0, help="seconds between polls (sustained)")
    ap.add_argument("--phases", default="burst,sustained", help="comma-separated: burst, sustained")
    ap.add_argument("--consumers", default="1,2", help="comma-separated consumer counts")
    ap.add_argument("--channels", type=int, default=8)
    ap.add_argument("--page-size", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2, help="worker threads per consumer")
    ap.add_argument("--readers", type=int, default=3, help="threads reading the inbox API")
    ap.add_argument("--servers", type=int, default=2, help="`tending serve` processes")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds allowed per phase")
    ap.add_argument("--redis-db", type=int, default=11, help="Redis database number (flushed)")
    args = ap.parse_args()
    reason = unavailable_reason()
    if reason:
        print(f"scaled mode unavailable: {reason}", file=sys.stderr)
        return 2
    from tending.ingest.signals import _subscribers

    hooks = [f"{fn.__module__}.{fn.__name__}" for fn in _subscribers()]
    cluster = make_cluster(args.redis_db)
    results = []
    try:
        urls = []
        for i in range(args.servers):
            port = BASE_PORT + args.redis_db * 10 + i
            cluster.start_server(port)
            urls.append(f"http://127.0.0.1:{port}")

        def up() -> bool:
            try:
                return all(httpx.get(u + "/health", timeout=1).status_code == 200 for u in urls)
            except httpx.HTTPError:
                return False

        if not wait_until(up, timeout=60, every=0.5):
            print(cluster.log_tail(), file=sys.stderr)
            return 1
        for kind in args.phases.split(","):
            for k in (int(x) for x in args.consumers.split(",")):
                results.append(run_phase(cluster, kind=kind.strip(), consumers=k, args=args, urls=urls))
                print(f"  {kind} × {k}: {results[-1]['msgs_per_s']:.0f} msg/s", file=sys.stderr, flush=True)
    finally:
        cluster.close()
    _report(results, hooks, args)
    return 0 if all(r["complete"] == "yes" for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
