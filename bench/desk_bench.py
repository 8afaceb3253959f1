"""Timing of the response desk's periodic and on-demand work on a synthetic brand.

    python bench/desk_bench.py [--conversations 20000]

Builds a SQLite file in a temporary folder: N conversations over 60 days on 3 channels, 6 members with
working hours in three time zones, 85% answered after a log-normal delay, a Mon-Fri 09:00-17:00
Europe/Paris policy; then times response_figures over the 60 days, check_sla (first run raises every
alert, second run raises none) after route_unassigned, suggest_answers and check_reply_humanity.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from tending.answers.models import PreparedAnswer
from tending.answers.service import check_reply_humanity, suggest_answers
from tending.auth.models import User, WorkspaceMembership
from tending.channel.models import Channel
from tending.config import Settings
from tending.database.core import Base
from tending.inbox.bookkeeping import refresh_conversations
from tending.inbox.models import Conversation, Message
from tending.models import import_all_models
from tending.routing.models import RoutingRule
from tending.routing.service import route_unassigned
from tending.sla.business_hours import MON_FRI_9_17
from tending.sla.figures import response_figures
from tending.sla.models import SlaPolicy
from tending.sla.service import check_sla
from tending.workspace.models import Workspace

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
TOPICS = ["shipping", "billing", "returns", "account", "product"]
WORDS_TEXT = (
    "order parcel delivery late refund card charge invoice password login app crash size colour stock "
    "shop store price discount code return label exchange broken missing tracking carrier account email "
    "update version battery screen warranty repair cancel subscription plan"
)
WORDS = WORDS_TEXT.split(" ")


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build(session: Session, n_conv: int, rng: random.Random) -> int:
    ws = Workspace(name="Bench", slug="bench", timezone="Europe/Paris")
    session.add(ws)
    session.flush()
    zones = ["Europe/Paris", "America/New_York", "Asia/Tokyo"]
    users = []
    for i in range(6):
        u = User(
            email=f"m{i}@bench.example",
            name=f"Member {i}",
            password_hash="x",
            role="admin" if i == 0 else "member",
            expertise=[TOPICS[i % len(TOPICS)]],
            timezone=zones[i % 3],
            working_hours=MON_FRI_9_17,
        )
        session.add(u)
        users.append(u)
    session.flush()
    session.add_all(WorkspaceMembership(workspace_id=ws.id, user_id=u.id) for u in users)
    channels = [
        Channel(workspace_id=ws.id, network="fake", name=f"ch{i}", external_id=f"c{i}") for i in range(3)
    ]
    session.add_all(channels)
    session.add(
        SlaPolicy(
            workspace_id=ws.id,
            name="Standard",
            first_response_hours=4,
            resolution_hours=24,
            business_hours=MON_FRI_9_17,
            timezone="Europe/Paris",
            escalation_member_id=users[0].id,
        )
    )
    session.add(
        RoutingRule(workspace_id=ws.id, name="Billing", match_topics=["billing"], target_expertise="billing")
    )
    session.flush()
    conv_rows = []
    for i in range(n_conv):
        conv_rows.append(
            {
                "workspace_id": ws.id,
                "channel_id": channels[i % 3].id,
                "thread_key": f"t{i}",
                "assignee_id": users[i % 6].id if i % 10 else None,
                "status": "open",
            }
        )
    session.execute(insert(Conversation), conv_rows)
    conv_ids = list(session.scalars(select(Conversation.id).order_by(Conversation.id)))
    msgs: list[dict[str, Any]] = []
    for cid, row in zip(conv_ids, conv_rows, strict=True):
        at = NOW - timedelta(seconds=rng.uniform(0, 60 * 86400))
        base = {"workspace_id": ws.id, "channel_id": row["channel_id"], "conversation_id": cid}
        msgs.append(
            {
                **base,
                "kind": "comment",
                "direction": "inbound",
                "external_id": f"i{cid}",
                "text": _sentence(rng, 12),
                "created_at": at,
                "intent": "question",
                "topics": [rng.choice(TOPICS)],
                "sentiment": rng.choice(["negative", "neutral", "positive"]),
            }
        )
        if rng.random() < 0.85:
            reply_at = min(at + timedelta(hours=rng.lognormvariate(0.5, 1.2)), NOW)
            msgs.append(
                {
                    **base,
                    "kind": "reply",
                    "direction": "outbound",
                    "external_id": f"o{cid}",
                    "text": _sentence(rng, 14),
                    "created_at": reply_at,
                }
            )
    for start in range(0, len(msgs), 5000):
        session.execute(insert(Message), msgs[start : start + 5000])
    refresh_conversations(session, conv_ids)
    session.add_all(
        PreparedAnswer(workspace_id=ws.id, title=_sentence(rng, 3), body=_sentence(rng, 30), topics=[t])
        for t in TOPICS * 40
    )
    session.commit()
    return ws.id


def timed(label: str, fn: Callable[[], Any], results: list[tuple[str, float, str]]) -> Any:
    t0 = time.perf_counter()
    out = fn()
    results.append((label, time.perf_counter() - t0, _describe(out)))
    return out


def _describe(out: Any) -> str:
    if isinstance(out, list):
        return f"{len(out)} items"
    return type(out).__name__


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=20000)
    args = parser.parse_args()
    import_all_models()
    rng = random.Random(7)
    results: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(engine)
        with Session(engine, expire_on_commit=False) as session:
            ws_id = timed("build", lambda: build(session, args.conversations, rng), results)
            since = NOW - timedelta(days=61)
            figures = timed(
                "response_figures (60 days)",
                lambda: response_figures(session, workspace_id=ws_id, since=since, until=NOW, now=NOW),
                results,
            )
            timed("route_unassigned", lambda: route_unassigned(session, workspace_id=ws_id, now=NOW), results)
            session.commit()
            settings = Settings()
            timed(
                "check_sla, first run",
                lambda: check_sla(session, workspace_id=ws_id, now=NOW, settings=settings),
                results,
            )
            session.commit()
            timed(
                "check_sla, second run",
                lambda: check_sla(
                    session, workspace_id=ws_id, now=NOW + timedelta(minutes=1), settings=settings
                ),
                results,
            )
            msg = session.scalars(select(Message).where(Message.direction == "inbound").limit(1)).one()
            timed(
                "suggest_answers (200 answers, 2000 past replies)",
                lambda: suggest_answers(session, message=msg),
                results,
            )
            draft = session.scalars(
                select(Message.text).where(Message.direction == "outbound").limit(1)
            ).one()
            timed(
                "check_reply_humanity",
                lambda: check_reply_humanity(session, workspace_id=ws_id, text=draft, now=NOW),
                results,
            )
        engine.dispose()
    overall = figures.overall
    print(
        f"conversations: {args.conversations}; median first response "
        f"{overall.median_wall_hours:.2f} h clock, {overall.median_business_hours:.2f} h business"
    )
    for label, seconds, what in results:
        print(f"{label:55s} {seconds:8.3f} s  ({what})")


if __name__ == "__main__":
    main()
