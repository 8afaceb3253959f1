"""Server time of every dashboard page at 1,000,000 messages (target: each under 300 ms).

    .venv/bin/python bench/pages.py --items 1000000 [--workdir DIR]

Builds (or reuses, with --workdir) a SQLite database of N generated messages through the real import
path, adds a campaign, posts and cadence targets, then requests every page in-process (ASGI, no network)
as a logged-in admin and prints p50/p95 per page. In-process request time is the server's time: routing,
queries and template rendering, without a browser.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ingest import generate, percentile
from tending.app import create_app
from tending.auth.models import Role, UserCreate
from tending.auth.service import create_user
from tending.cadence.service import set_target
from tending.campaign.models import CampaignCreate, KpiCreate, MetricKind
from tending.campaign.service import add_kpi, create_campaign
from tending.channel.models import Channel, ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.database.core import make_engine, make_session_factory, utcnow
from tending.database.migrate import upgrade
from tending.inbox.models import Conversation, Message
from tending.ingest.fileimport import import_file
from tending.publishing.models import PostCreate
from tending.publishing.service import approve, create_draft
from tending.workspace.models import Workspace, WorkspaceCreate
from tending.workspace.service import create as create_workspace

EMAIL, PASSWORD = "bench@bench.local", "benchmark-password"


def _label_like_triage(factory: sessionmaker[Session]) -> None:
    """Triage labels in the mix a desk sees (a fifth questions, a tenth complaints, a quarter negative,
    a tenth high urgency), written in one statement: running the model over a million texts would time
    the model, not the pages. The queue's filters and order then read what they read on a real desk."""
    with factory() as s:
        s.execute(
            text(
                "UPDATE message SET "
                "intent = CASE id % 10 WHEN 0 THEN 'question' WHEN 1 THEN 'question' WHEN 2 THEN 'complaint' "
                "WHEN 3 THEN 'praise' ELSE 'other' END, "
                "sentiment = CASE WHEN id % 4 = 2 THEN 'negative' WHEN id % 4 = 3 THEN 'positive' "
                "ELSE 'neutral' END, "
                "urgency_band = CASE WHEN id % 10 = 2 THEN 0 WHEN id % 10 < 2 THEN 1 ELSE 2 END "
                "WHERE direction = 'inbound'"
            )
        )
        s.commit()


def build(work: Path, items: int) -> Settings:
    settings = Settings(data_dir=work / "data", queue_immediate=True, demo_connectors=True)  # `fake` channels
    engine = make_engine(settings)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        if s.scalar(select(Workspace).where(Workspace.slug == "bench")) is not None:
            return settings
    src = work / "pages.jsonl"
    generate(src, items)
    with factory() as s:
        ws = create_workspace(s, workspace_in=WorkspaceCreate(name="Bench", slug="bench"))
        ch = create_channel(
            s,
            settings=settings,
            workspace_id=ws.id,
            channel_in=ChannelCreate(network="fake", name="bench", external_id="bench"),
        )
        user = create_user(
            s, user_in=UserCreate(email=EMAIL, name="Bench", password=PASSWORD, role=Role.admin)
        )
        s.commit()
        ws_id, ch_id = ws.id, ch.id
    t0 = time.perf_counter()
    import_file(factory, channel_id=ch_id, path=src, keep_new_ids=False)
    print(f"imported {items:,} items in {time.perf_counter() - t0:.0f}s")
    _label_like_triage(factory)
    with factory() as s:
        ch = s.get_one(Channel, ch_id)
        set_target(s, channel=ch, posts_per_week=3, max_days_silent=5, reply_within_hours=24)
        camp = create_campaign(
            s,
            workspace_id=ws_id,
            campaign_in=CampaignCreate(
                name="Spring",
                objective="Sales",
                owner_id=user.id,
                channel_ids=[ch_id],
                keywords=["refund"],
                starts_at=utcnow() - timedelta(days=30),
            ),
        )
        add_kpi(
            s,
            campaign_id=camp.id,
            kpi_in=KpiCreate(name="Mentions", metric=MetricKind.mentions, target=5000, horizon_days=60),
        )
        for i in range(40):
            post = create_draft(
                s,
                workspace_id=ws_id,
                author=user,
                post_in=PostCreate(
                    channel_id=ch_id, text=f"post {i}", scheduled_at=utcnow() + timedelta(hours=6 * i)
                ),
            )
            if i % 2:
                approve(s, post=post, approver=user)
        _desk_settings(s, workspace_id=ws_id, user_id=user.id)
        s.commit()
    return settings


def _desk_settings(s: Session, *, workspace_id: int, user_id: int) -> None:
    """What a working desk has set up, so inbox rows carry SLA badges and threads rank suggestions."""
    from tending.answers.models import PreparedAnswerCreate
    from tending.answers.service import create_answer
    from tending.routing.models import RoutingRuleCreate
    from tending.routing.service import create_rule
    from tending.sla.models import SlaPolicyCreate
    from tending.sla.service import create_policy

    weekdays = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    create_policy(
        s,
        workspace_id=workspace_id,
        policy_in=SlaPolicyCreate(
            name="Standard", first_response_hours=4, resolution_hours=48, business_hours=weekdays
        ),
    )
    for i, topic in enumerate(["billing", "delivery", "product"]):
        create_rule(
            s,
            workspace_id=workspace_id,
            rule_in=RoutingRuleCreate(name=topic, position=i, match_topics=[topic], target_member_id=user_id),
        )
    for i in range(30):
        create_answer(
            s,
            workspace_id=workspace_id,
            author_id=user_id,
            answer_in=PreparedAnswerCreate(
                title=f"Answer {i}",
                body=f"Prepared answer number {i} about refunds, delivery and opening hours.",
                topics=[["billing", "delivery", "product"][i % 3]],
                examples=[f"question {i} about my order and a refund"],
            ),
        )


def alerts_pages(
    factory: sessionmaker[Session], *, slug: str = "bench", incidents: int = 3000
) -> dict[str, str]:
    """Seed the alerts inbox as three months of a busy desk would leave it (once per workdir): incidents of
    every kind every 45 minutes, most resolved, each with its 20 evidence lines and up to 200 messages,
    and return the alerts pages to time (the default unresolved view, all states, one incident)."""
    from tending.alerts.models import AlertIncident, IncidentKind, IncidentState

    with factory() as s:
        ws = s.scalars(select(Workspace).where(Workspace.slug == slug)).one()
        first = s.scalar(select(AlertIncident.id).where(AlertIncident.workspace_id == ws.id).limit(1))
        if first is None:
            channel_id = s.scalar(select(Channel.id).where(Channel.workspace_id == ws.id).limit(1))
            message_ids = list(s.scalars(select(Message.id).order_by(Message.id.desc()).limit(200)))
            kinds = list(IncidentKind)
            now = utcnow()
            for i in range(incidents):
                at = now - timedelta(minutes=45 * i)
                state = (
                    IncidentState.open
                    if i < 40
                    else (IncidentState.acknowledged if i < 80 else IncidentState.resolved)
                )
                s.add(
                    AlertIncident(
                        workspace_id=ws.id,
                        kind=kinds[i % len(kinds)].value,
                        scope_key=f"channel:{channel_id}",
                        channel_id=channel_id,
                        title=f"bench: 12 messages in an hour, about 2 expected ({i})",
                        opened_at=at - timedelta(hours=2),
                        last_at=at,
                        alert_count=25,
                        state=state.value,
                        evidence=[
                            {"at": at.isoformat(), "summary": f"alert {k}", "excerpt": "x" * 200}
                            for k in range(20)
                        ],
                        message_ids=message_ids,
                        conversation_ids=[],
                    )
                )
            s.commit()
        one = s.scalar(
            select(AlertIncident.id)
            .where(AlertIncident.workspace_id == ws.id)
            .order_by(AlertIncident.id)
            .limit(1)
        )
    return {
        "alerts": f"/w/{slug}/alerts",
        "alerts: all states": f"/w/{slug}/alerts?state=all",
        "alert incident": f"/w/{slug}/alerts/{one}",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument(
        "--only",
        default="",
        help="comma-separated page names to time (default: every page), for before/after runs",
    )
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tending-pages-"))
    work.mkdir(parents=True, exist_ok=True)
    settings = build(work, args.items)
    factory = make_session_factory(make_engine(settings))
    with factory() as s:
        n = s.scalar(select(func.count(Message.id)))
        conv = s.scalar(select(Conversation.id).order_by(Conversation.last_message_at.desc()).limit(1))
        big = s.scalar(select(Conversation.id).order_by(Conversation.message_count.desc()).limit(1))
        camp_id = s.scalar(
            select(func.min(__import__("tending.campaign.models", fromlist=["Campaign"]).Campaign.id))
        )
    print(f"database: {n:,} messages")
    from tending.community.vitality import refresh_snapshots

    with factory() as s:  # what the hourly worker task keeps fresh
        refresh_snapshots(s, workspace_id=1, now=utcnow())
        s.commit()
    client = TestClient(create_app(settings))
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    pages = {
        "overview": "/w/bench/overview",
        "inbox (needs-reply queue)": "/w/bench/inbox",
        "queue: questions + unassigned": "/w/bench/inbox/rows?f=questions&f=unassigned",
        "queue: off-hours": "/w/bench/inbox/rows?f=off_hours",
        "queue: mine": "/w/bench/inbox/rows?f=mine",
        "queue: search 'refund'": "/w/bench/inbox/rows?q=refund",
        "inbox: left to answer (loaded beside)": "/w/bench/inbox/left",
        "inbox: all conversations": "/w/bench/inbox?view=conversations",
        "inbox: open + search": "/w/bench/inbox/rows?status=open&q=refund",
        "thread (newest)": f"/w/bench/inbox/{conv}",
        "thread (largest)": f"/w/bench/inbox/{big}",
        "campaigns": "/w/bench/campaigns",
        "campaign detail": f"/w/bench/campaigns/{camp_id}",
        "calendar (week)": "/w/bench/calendar",
        "calendar (month)": "/w/bench/calendar?view=month",
        "channels": "/w/bench/channels",
        "team": "/w/bench/team",
        "audit log": "/w/bench/audit",
        "settings": "/w/bench/settings",
        "settings: routing": "/w/bench/settings/routing",
        "settings: SLA": "/w/bench/settings/sla",
        "settings: alerts": "/w/bench/settings/alerts",
        "settings: answers": "/w/bench/settings/answers",
    }
    extra = {
        "reports": "/w/bench/reports",
        "responses report": "/w/bench/reports/responses",
        "digest report": "/w/bench/reports/digest",
    }
    for name, path in extra.items():
        if client.get(path).status_code == 200:
            pages[name] = path
    pages |= alerts_pages(factory)
    if args.only:
        chosen = [n.strip() for n in args.only.split(",")]
        pages = {name: path for name, path in pages.items() if name in chosen}
    print(f"\n{'page':24s} {'p50 ms':>8s} {'p95 ms':>8s}  status")
    worst = 0.0
    for name, path in pages.items():
        times, code = [], 0
        for _ in range(args.runs):
            t = time.perf_counter()
            code = client.get(path).status_code
            times.append((time.perf_counter() - t) * 1000)
        p50, p95 = statistics.median(times), percentile(times, 95)
        worst = max(worst, p95)
        print(f"{name:24s} {p50:8.1f} {p95:8.1f}  {code}")
    print(f"\nslowest page p95: {worst:.1f} ms (target < 300 ms)")


if __name__ == "__main__":
    main()
