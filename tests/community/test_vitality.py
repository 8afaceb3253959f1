from __future__ import annotations

from datetime import timedelta

import orjson

from tending.channel.models import Channel
from tending.community.engagement import Engagement, trend
from tending.community.vitality import channel_vitality, classify
from tending.database.core import utcnow
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items


def test_thresholds_at_their_edges() -> None:
    assert classify(members=16_000_000, talkers_30=0, talkers_90=0)[0] == "dead"
    assert classify(members=16_000_000, talkers_30=40, talkers_90=100)[0] == "dead"  # 0.6 per 100k
    assert classify(members=16_000_000, talkers_30=40, talkers_90=200)[0] == "dormant"  # 1.25 per 100k
    assert classify(members=None, talkers_30=4, talkers_90=30)[0] == "dormant"
    assert classify(members=800, talkers_30=12, talkers_90=30)[0] == "alive"
    status, reasons = classify(members=16_000_000, talkers_30=0, talkers_90=2)
    assert status == "dead" and "only 2 people talked in 90 days" in reasons[0]


def test_small_active_group_alive_and_huge_silent_group_dead(session, world) -> None:
    ch = session.get(Channel, world.channel.id)
    ch.config = {**ch.config, "members": 900}
    now = utcnow()
    recs = [
        {
            "id": "p",
            "kind": "post",
            "direction": "outbound",
            "text": "new blend",
            "created_at": (now - timedelta(days=20)).isoformat(),
        }
    ]
    for i in range(30):
        recs.append(
            {
                "id": f"c{i}",
                "parent_id": "p",
                "text": "so good",
                "created_at": (now - timedelta(days=i % 14, hours=i)).isoformat(),
                "author": {"id": f"u{i % 12}", "handle": f"u{i % 12}"},
            }
        )
    recs.append(
        {
            "id": "r1",
            "kind": "reply",
            "direction": "outbound",
            "parent_id": "c1",
            "text": "thanks!",
            "created_at": (now - timedelta(hours=1)).isoformat(),
        }
    )
    ingest_items(session, channel=ch, items=[item_from_record(r, raw=orjson.dumps(r).decode()) for r in recs])
    session.commit()
    v = channel_vitality(session, channel=ch, now=now)
    assert v.status == "alive" and v.talkers[30] == 12 and v.returning >= 6 and v.threads_with_dialogue == 1
    other = session.get(Channel, world.other_channel.id)
    other.config = {"members": 16_000_000}
    assert channel_vitality(session, channel=other, now=now).status == "dead"


def test_engagement_quality_weights_conversation_over_likes() -> None:
    chatty = Engagement(dialogues=10, replies=40, talkers=25, likes=100, new_followers=20)
    vain = Engagement(dialogues=0, replies=2, talkers=2, likes=2000, new_followers=900)
    assert chatty.quality > vain.quality and vain.vanity > chatty.vanity
    assert trend(chatty, vain)["quality"] > 0 > trend(chatty, vain)["vanity"]


def test_snapshots_are_reused_within_the_hour(session, world) -> None:
    from tending.community.vitality import latest_vitality

    now = utcnow()
    first = latest_vitality(session, workspace_id=world.workspace.id, now=now)
    session.commit()
    ch = session.get(Channel, world.channel.id)
    ch.config = {**ch.config, "members": 16_000_000}
    session.commit()
    again = latest_vitality(session, workspace_id=world.workspace.id, now=now + timedelta(minutes=10))
    assert [v.status for v in again] == [v.status for v in first]
    later = latest_vitality(session, workspace_id=world.workspace.id, now=now + timedelta(hours=2))
    assert later[0].members == 16_000_000


def test_vitality_reading_carries_engagement_quality_and_vanity(session, world) -> None:
    now = utcnow()
    ch = session.get(Channel, world.channel.id)
    recs = [
        {
            "id": "p",
            "kind": "post",
            "direction": "outbound",
            "text": "hello",
            "created_at": (now - timedelta(days=10)).isoformat(),
        },
        {
            "id": "c1",
            "parent_id": "p",
            "text": "question?",
            "created_at": (now - timedelta(days=9)).isoformat(),
            "author": {"id": "a"},
        },
        {
            "id": "r1",
            "kind": "reply",
            "direction": "outbound",
            "parent_id": "c1",
            "text": "answer",
            "created_at": (now - timedelta(days=8)).isoformat(),
        },
        {
            "id": "c2",
            "parent_id": "r1",
            "text": "thanks!",
            "created_at": (now - timedelta(days=7)).isoformat(),
            "author": {"id": "a"},
        },
    ]
    ingest_items(session, channel=ch, items=[item_from_record(r, raw=orjson.dumps(r).decode()) for r in recs])
    session.commit()
    v = channel_vitality(session, channel=ch, now=now)
    cur = v.engagement["current"]
    assert (cur["dialogues"], cur["replies"], cur["talkers"]) == (1, 2, 1)
    assert cur["quality"] == 5 + 3 * 2 + 2 * 1 and v.engagement["previous"]["quality"] == 0
