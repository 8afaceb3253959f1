"""The scaled mode for real: PostgreSQL, Huey on Redis and two `tending worker` processes racing on the
same channels and posts. Every message is stored once and every post published once."""

from __future__ import annotations

from sqlalchemy import text
from tests.scale.cluster import (
    Cluster,
    cluster_fixture,
    cluster_marks,
    enqueue_polls,
    enqueue_publishes,
    message_counts,
    seed,
    wait_until,
)

pytestmark = cluster_marks()
cluster = cluster_fixture(redis_db=13)


def test_two_consumers_store_every_message_and_publish_every_post_once(cluster: Cluster) -> None:
    world = seed(cluster, channels=3, messages_per_channel=600, page_size=20, posts=12)
    total = 3 * 600
    cluster.start_worker(threads=2)
    cluster.start_worker(threads=2)
    # Each channel and each post is queued three times: the consumers race on every one of them.
    enqueue_polls(cluster, world.channel_ids, times=3)
    enqueue_publishes(cluster, world.post_ids, times=3)

    def done() -> bool:
        with cluster.engine.connect() as conn:
            published = conn.execute(text("SELECT count(*) FROM post WHERE status = 'published'")).scalar()
        return message_counts(cluster)[0] >= total and published == len(world.post_ids)

    assert wait_until(done, timeout=90), cluster.log_tail()
    assert message_counts(cluster) == (total, total)
    with cluster.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.id, p.status, p.attempts, "
                "(SELECT count(*) FROM audit_entry a WHERE a.action = 'post.published' "
                " AND a.target_id = p.id) AS logged, "
                "(SELECT count(*) FROM message m WHERE m.external_id = p.external_id) AS in_inbox "
                "FROM post p ORDER BY p.id"
            )
        ).all()
    assert len(rows) == 12
    for post_id, status, attempts, logged, in_inbox in rows:
        assert (status, attempts, logged, in_inbox) == ("published", 1, 1, 1), post_id
    cursors = [
        c
        for (c,) in cluster.engine.connect().execute(
            text("SELECT cursor FROM channel WHERE id = ANY(:ids)"), {"ids": world.channel_ids}
        )
    ]
    assert all(c == {"offset": 600} for c in cursors), cursors
