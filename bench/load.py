"""Sustained load against the scaled mode on loopback: PostgreSQL, Huey on Redis, `tending serve` and
`tending worker` processes started here.

Inbound messages come through the fake connector (JSONL feeds served page by page) and are processed by
Huey tasks: polling stores them and hands them to every `on_new_messages` hook found in the code (the
report names them). Meanwhile a few threads read the inbox API over HTTP. The run is done twice, with one
consumer and with two, on fresh channels, and prints both side by side.

    python bench/load.py --messages 40000 --channels 8 --readers 3

"Fully processed" means: every message stored and the queue drained (the hook tasks queued for the
messages have run). Needs PostgreSQL and Redis (see tests/scale/cluster.py for the URLs it uses).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import httpx
from tests.scale.cluster import (
    Cluster,
    enqueue_polls,
    make_cluster,
    message_counts,
    seed,
    unavailable_reason,
    wait_until,
)

REDIS_DB = 11
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


def run_phase(
    cluster: Cluster,
    *,
    consumers: int,
    threads: int,
    messages: int,
    channels: int,
    page_size: int,
    readers: int,
    urls: list[str],
    timeout: float,
) -> dict[str, float]:
    per_channel = messages // channels
    world = seed(cluster, channels=channels, messages_per_channel=per_channel, page_size=page_size)
    target = message_counts(cluster)[0] + per_channel * channels
    token = _api_token(cluster, world.workspace_id, world.user_id)
    workers = [cluster.start_worker(threads=threads) for _ in range(consumers)]
    time.sleep(6)  # consumers import and connect before the clock starts
    huey = cluster.huey()
    reads, lock, stop = Reads(), threading.Lock(), threading.Event()
    path = f"/api/v1/workspaces/{world.workspace_id}/conversations"
    pool = [
        threading.Thread(target=_reader, args=(urls, path, token, stop, reads, lock)) for _ in range(readers)
    ]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    enqueue_polls(cluster, world.channel_ids)
    stored_at = None
    while time.perf_counter() - t0 < timeout:
        stored = message_counts(cluster)[0]
        if stored >= target and stored_at is None:
            stored_at = time.perf_counter()
        if stored_at is not None and huey.pending_count() == 0:
            break
        if huey.pending_count() == 0 and stored < target:
            enqueue_polls(cluster, world.channel_ids)  # a poll takes 50 pages at most, as scheduled polls do
        time.sleep(0.05)
    # Tasks taken from the queue may still run: wait until the consumers are idle a moment.
    time.sleep(0.5)
    t1 = time.perf_counter()
    stop.set()
    for t in pool:
        t.join()
    for w in workers:
        cluster.kill(w)
    done = message_counts(cluster)[0] >= target
    n = per_channel * channels
    return {
        "consumers": consumers,
        "messages": n,
        "complete": float(done),
        "seconds": t1 - t0,
        "stored_s": (stored_at or t1) - t0,
        "msgs_per_s": n / (t1 - t0),
        "reads": len(reads.latencies_ms),
        "read_errors": reads.errors,
        "p50": _pct(reads.latencies_ms, 50),
        "p95": _pct(reads.latencies_ms, 95),
        "p99": _pct(reads.latencies_ms, 99),
        "mean": statistics.fmean(reads.latencies_ms) if reads.latencies_ms else float("nan"),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=40000, help="inbound messages per phase")
    ap.add_argument("--channels", type=int, default=8)
    ap.add_argument("--page-size", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2, help="worker threads per consumer")
    ap.add_argument("--readers", type=int, default=3, help="threads reading the inbox API")
    ap.add_argument("--servers", type=int, default=2, help="`tending serve` processes")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per phase")
    args = ap.parse_args()
    reason = unavailable_reason()
    if reason:
        print(f"scaled mode unavailable: {reason}", file=sys.stderr)
        return 2
    from tending.ingest.signals import _subscribers

    hooks = [f"{fn.__module__}.{fn.__name__}" for fn in _subscribers()]
    cluster = make_cluster(REDIS_DB)
    try:
        urls = []
        for i in range(args.servers):
            port = BASE_PORT + i
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
        results = [
            run_phase(
                cluster,
                consumers=k,
                threads=args.threads,
                messages=args.messages,
                channels=args.channels,
                page_size=args.page_size,
                readers=args.readers,
                urls=urls,
                timeout=args.timeout,
            )
            for k in (1, 2)
        ]
    finally:
        cluster.close()
    print("pipeline: fake connector poll → ingest (store, search index, stats, conversations) → hooks:")
    print("  " + (", ".join(hooks) or "(none)"))
    print(
        f"servers: {args.servers} × tending serve; readers: {args.readers} threads; "
        f"consumer threads: {args.threads}; page size: {args.page_size}; channels: {args.channels}"
    )
    header = (
        f"{'consumers':>9} {'messages':>9} {'done':>5} {'stored s':>9} {'total s':>8} {'msg/s':>8} "
        f"{'reads':>6} {'err':>4} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    print(header)
    for r in results:
        print(
            f"{r['consumers']:>9} {r['messages']:>9} {'yes' if r['complete'] else 'NO':>5} "
            f"{r['stored_s']:>9.1f} {r['seconds']:>8.1f} {r['msgs_per_s']:>8.0f} {r['reads']:>6} "
            f"{r['read_errors']:>4} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
