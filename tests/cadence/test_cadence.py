from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from tending.cadence.service import check_cadence, set_target, weekly_digest
from tending.channel.models import Channel
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items

NOW = datetime(2026, 6, 10, 12, tzinfo=UTC)  # a Wednesday


def _post(session, ch, n, at, direction="outbound", kind="post", parent=None):
    rec = {
        "id": f"x{n}",
        "kind": kind,
        "direction": direction,
        "text": f"post {n}",
        "created_at": at.isoformat(),
        "parent_id": parent,
        "author": {"id": "u1", "handle": "ann"},
    }
    ingest_items(session, channel=ch, items=[item_from_record(rec, raw=orjson.dumps(rec).decode())])


def test_cadence_silence_and_unanswered_alerts_once_per_week(session, world) -> None:
    ch = session.get(Channel, world.channel.id)
    set_target(session, channel=ch, posts_per_week=3, max_days_silent=5, reply_within_hours=4)
    _post(session, ch, 1, NOW - timedelta(days=9))
    _post(session, ch, 2, NOW - timedelta(hours=6), direction="inbound", kind="comment", parent="x1")
    session.commit()
    alerts = check_cadence(session, workspace_id=world.workspace.id, now=NOW)
    kinds = sorted(a.kind for a in alerts)
    assert kinds == ["cadence", "silent", "unanswered"]
    messages = " | ".join(a.message for a in alerts)
    assert (
        "0 posts in the last 7 days, target 3" in messages and "no post for 9 days (limit 5 days)" in messages
    )
    assert "1 conversation waiting longer than 4 h" in messages
    # an hour later in the same week: nothing new is raised
    assert check_cadence(session, workspace_id=world.workspace.id, now=NOW + timedelta(hours=1)) == []
    # the next week the still-stale channel is reported again
    assert len(check_cadence(session, workspace_id=world.workspace.id, now=NOW + timedelta(days=7))) == 3


def test_healthy_channel_raises_nothing(session, world) -> None:
    ch = session.get(Channel, world.channel.id)
    set_target(session, channel=ch, posts_per_week=3, max_days_silent=5, reply_within_hours=4)
    for i in range(3):
        _post(session, ch, i, NOW - timedelta(days=i * 2, hours=1))
    session.commit()
    assert check_cadence(session, workspace_id=world.workspace.id, now=NOW) == []


def test_digest_proposes_retiring_a_long_silent_channel(session, world) -> None:
    ch = session.get(Channel, world.channel.id)
    set_target(session, channel=ch, posts_per_week=1, max_days_silent=14, reply_within_hours=24)
    _post(session, ch, 1, NOW - timedelta(days=40))
    session.commit()
    digest = weekly_digest(session, workspace_id=world.workspace.id, now=NOW)
    assert [h.channel_id for h in digest.at_risk] == [ch.id]
    assert digest.retire and "no post for 40 days" in digest.retire[0][1]
