"""Cost of campaign work on realistic volumes, and how often unrelated real tweets trip scenario matching.

  python bench/campaign_scenarios.py [--tweets N] [--batch N] [--shared ../shared]

1. match_scenarios_batch on ingest-sized batches of real tweets (TweetEval sentiment test texts from
   ../shared/data when present, synthetic sentences otherwise) for a launched campaign with 8 scenarios:
   milliseconds per batch and the share of tweets that matched by similarity alone (these tweets are
   not about the campaign, so every match is a false alarm).
2. backlash_risk for one draft against a history of 2,000 posts with 5 replies each (half untriaged,
   read by VADER): seconds per call.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from tending.auth.models import User
from tending.campaign.launch import launch_campaign
from tending.campaign.models import CampaignCreate, KpiCreate, MetricKind, ScenarioCreate
from tending.campaign.risk import backlash_risk
from tending.campaign.scenarios import match_scenarios_batch
from tending.campaign.service import add_kpi, add_scenario, create_campaign
from tending.channel.models import Channel
from tending.database.core import Base
from tending.inbox.models import Conversation, Message
from tending.models import import_all_models
from tending.workspace.models import Workspace

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
SCENARIOS = [
    ("Greenwashing", ["greenwashing"], ["Calling these cups sustainable is a lie, they end up in landfill"]),
    ("Price anger", ["rip-off"], ["Why does this cost two euros more than last year, greedy"]),
    ("Rude staff", ["rude"], ["The staff at your shop were rude and ignored me"]),
    ("Food safety", ["food poisoning"], ["I got sick after drinking your coffee yesterday"]),
    ("Boycott call", ["boycott"], ["Everyone should stop buying from this brand after what they did"]),
    ("Ad offends", ["offensive"], ["Your new advert is offensive and tone deaf, take it down"]),
    ("Delivery fail", ["never arrived"], ["My order never arrived and nobody answers my emails"]),
    ("Data leak", ["hacked"], ["Did you leak my card details? I got charged twice by someone"]),
]


def _texts(n: int, shared: Path) -> tuple[list[str], str]:
    tweets = shared / "data" / "tweeteval-sentiment" / "test_text.txt"
    if tweets.exists():
        lines = [t.strip() for t in tweets.read_text(encoding="utf-8").splitlines() if t.strip()]
        return lines[:n], f"TweetEval test texts ({min(n, len(lines))})"
    rng = random.Random(7)
    words = [
        "coffee",
        "morning",
        "game",
        "music",
        "love",
        "hate",
        "team",
        "city",
        "news",
        "today",
        "new",
        "show",
        "watch",
        "great",
        "bad",
        "time",
    ]
    return [" ".join(rng.choices(words, k=12)) for _ in range(n)], f"synthetic sentences ({n})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tweets", type=int, default=12_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--shared", type=Path, default=SHARED, help="The shared data folder (../shared).")
    args = parser.parse_args()
    import_all_models()
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        ws = Workspace(name="Bench", slug="bench")
        s.add(ws)
        s.flush()
        user = User(email="o@b.test", name="O", password_hash="x")
        s.add(user)
        ch = Channel(workspace_id=ws.id, network="fake", name="c", external_id="c")
        s.add(ch)
        s.flush()
        camp = create_campaign(
            s,
            workspace_id=ws.id,
            campaign_in=CampaignCreate(
                name="Bench",
                objective="x",
                owner_id=user.id,
                disputable=True,
                channel_ids=[ch.id],
                hashtags=["#benchblend"],
            ),
        )
        add_kpi(
            s,
            campaign_id=camp.id,
            kpi_in=KpiCreate(name="m", metric=MetricKind.mentions, target=1, horizon_days=7),
        )
        for title, kws, examples in SCENARIOS:
            add_scenario(
                s,
                campaign_id=camp.id,
                scenario_in=ScenarioCreate(
                    title=title,
                    what_happens="x",
                    trigger_keywords=kws,
                    example_messages=examples,
                    responder_id=user.id,
                    reaction="x",
                ),
            )
        launch_campaign(s, campaign_id=camp.id, actor=user, now=T0)

        texts, source = _texts(args.tweets, args.shared)
        conv = Conversation(workspace_id=ws.id, channel_id=ch.id, thread_key="all")
        s.add(conv)
        s.flush()
        s.execute(
            insert(Message),
            [
                {
                    "workspace_id": ws.id,
                    "channel_id": ch.id,
                    "conversation_id": conv.id,
                    "kind": "comment",
                    "direction": "inbound",
                    "external_id": f"t{i}",
                    "text": t,
                    "created_at": T0 + timedelta(seconds=i),
                }
                for i, t in enumerate(texts)
            ],
        )
        ids = [i + 1 for i in range(len(texts))]
        timings, alerts = [], []
        for start in range(0, len(ids), args.batch):
            t = time.perf_counter()
            alerts.extend(match_scenarios_batch(s, message_ids=ids[start : start + args.batch]))
            timings.append(time.perf_counter() - t)
        by_similarity = {a.message_id for a in alerts if a.detail["matched_by"] == "similarity"}
        by_keyword = {a.message_id for a in alerts if a.detail["matched_by"] != "similarity"}
        timings.sort()
        print(f"scenario matching on {source}, batches of {args.batch}, 8 scenarios:")
        median_ms, max_ms = timings[len(timings) // 2] * 1000, timings[-1] * 1000
        print(f"  median {median_ms:.0f} ms per batch, max {max_ms:.0f} ms")
        print(
            f"  matched by similarity only: {len(by_similarity)} of {len(texts)} "
            f"({len(by_similarity) / len(texts):.2%}); by keyword: {len(by_keyword)}"
        )

        rng = random.Random(3)
        topics = [
            "price of coffee",
            "latte art class",
            "new store opening",
            "cup recycling policy",
            "holiday menu",
            "barista championship",
            "loyalty card changes",
            "oat milk supply",
        ]
        replies_pos = ["Love it", "Great news, thanks", "So happy about this"]
        replies_neg = ["Awful decision", "This is terrible", "Shame on you, greedy"]
        rows = []
        for i in range(2_000):
            topic = rng.choice(topics)
            conv_i = Conversation(workspace_id=ws.id, channel_id=ch.id, thread_key=f"p{i}")
            s.add(conv_i)
            s.flush()
            rows.append(
                {
                    "workspace_id": ws.id,
                    "channel_id": ch.id,
                    "conversation_id": conv_i.id,
                    "kind": "post",
                    "direction": "outbound",
                    "external_id": f"p{i}",
                    "text": f"Update {i} about our {topic} and what it means for you",
                    "created_at": T0 - timedelta(days=400) + timedelta(hours=i),
                }
            )
            pool = replies_neg if topic in ("price of coffee", "cup recycling policy") else replies_pos
            for j in range(5):
                rows.append(
                    {
                        "workspace_id": ws.id,
                        "channel_id": ch.id,
                        "conversation_id": conv_i.id,
                        "kind": "reply",
                        "direction": "inbound",
                        "external_id": f"p{i}r{j}",
                        "text": rng.choice(pool),
                        "sentiment": None if j % 2 else ("negative" if pool is replies_neg else "positive"),
                        "created_at": T0 - timedelta(days=400) + timedelta(hours=i, minutes=j + 1),
                    }
                )
        s.execute(insert(Message), rows)
        t = time.perf_counter()
        risk = backlash_risk(s, workspace_id=ws.id, text="A change to the price of coffee from May")
        elapsed = time.perf_counter() - t
        print(
            f"backlash_risk over 2,000 posts x 5 replies: {elapsed:.2f} s, level {risk.level}, "
            f"score {risk.score:.2f}, {len(risk.examples)} examples"
        )


if __name__ == "__main__":
    main()
