"""Faults with real consumers: a `tending worker` killed with SIGKILL in the middle of polling a long
channel, and every Redis client connection cut (CLIENT KILL) while consumers ingest."""

from __future__ import annotations

import signal
import time

import redis
from tests.scale.cluster import (
    Cluster,
    cluster_fixture,
    cluster_marks,
    enqueue_polls,
    message_counts,
    seed,
    wait_until,
)

pytestmark = cluster_marks()
cluster = cluster_fixture(redis_db=12)


def test_consumer_killed_mid_poll_then_another_finishes_exactly_once(cluster: Cluster) -> None:
    # Small pages make one poll long (many commits), so the kill lands in the middle of it.
    world = seed(cluster, channels=1, messages_per_channel=4000, page_size=20)
    first = cluster.start_worker(threads=1)
    enqueue_polls(cluster, world.channel_ids)
    assert wait_until(lambda: message_counts(cluster)[0] >= 100, timeout=60), cluster.log_tail()
    cluster.kill(first, signal.SIGKILL)
    stored_at_kill = message_counts(cluster)[0]
    assert stored_at_kill < 4000, "the poll finished before the kill; nothing was interrupted"
    # The task died with its consumer; the next scheduled poll (queued here) resumes from the cursor.
    cluster.start_worker(threads=1)
    enqueue_polls(cluster, world.channel_ids, times=2)
    # max_pages per poll is 50: queue more polls until the channel is drained, as the schedule would.
    deadline = time.monotonic() + 90
    while message_counts(cluster)[0] < 4000 and time.monotonic() < deadline:
        enqueue_polls(cluster, world.channel_ids)
        wait_until(lambda: message_counts(cluster)[0] >= 4000, timeout=3)
    assert message_counts(cluster) == (4000, 4000), cluster.log_tail()


def test_redis_connections_cut_mid_ingest_lose_nothing(cluster: Cluster) -> None:
    world = seed(cluster, channels=4, messages_per_channel=1000, page_size=25)
    cluster.start_worker(threads=2)
    cluster.start_worker(threads=2)
    enqueue_polls(cluster, world.channel_ids)
    assert wait_until(lambda: message_counts(cluster)[0] > 0, timeout=60), cluster.log_tail()
    admin = redis.Redis.from_url(cluster.redis_url)
    killed = 0
    for _ in range(3):
        killed += int(admin.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"))
        time.sleep(0.3)
    assert killed > 0
    deadline = time.monotonic() + 90
    while message_counts(cluster)[0] < 4000 and time.monotonic() < deadline:
        enqueue_polls(cluster, world.channel_ids)
        wait_until(lambda: message_counts(cluster)[0] >= 4000, timeout=3)
    assert message_counts(cluster) == (4000, 4000), cluster.log_tail()
    assert all(p.poll() is None for p in cluster.procs), "a consumer died when Redis cut its connection"
