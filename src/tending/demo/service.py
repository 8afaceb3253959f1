"""Building the demo desk: a workspace, a team, channels on the fake network, and 90 days of history
ingested through the same polling path real channels use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tending.auth.models import Role, UserCreate
from tending.auth.service import create_user
from tending.cadence.service import set_target
from tending.channel.models import ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.demo.world import generate
from tending.ingest.poll import poll_channel
from tending.ingest.signals import after_ingest
from tending.workspace.models import Workspace, WorkspaceCreate
from tending.workspace.service import create as create_workspace

DEMO_SLUG = "northwind"
DEMO_EMAIL = "demo@tending.local"
DEMO_PASSWORD = "tending-demo"
WEEKDAYS_9_TO_6 = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}

TEAM = [
    ("Dana Admin", DEMO_EMAIL, Role.admin, [], "Europe/Paris", WEEKDAYS_9_TO_6),
    (
        "Leo Billing",
        "leo@northwind.example",
        Role.member,
        ["billing", "pricing", "account"],
        "Europe/Paris",
        WEEKDAYS_9_TO_6,
    ),
    (
        "Maya Delivery",
        "maya@northwind.example",
        Role.member,
        ["delivery", "store"],
        "Europe/Lisbon",
        {d: [["07:00", "15:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")},
    ),
    ("Sam Product", "sam@northwind.example", Role.member, ["product"], "America/New_York", WEEKDAYS_9_TO_6),
    ("Agnes Agency", "agnes@brightagency.example", Role.agency, [], "Europe/London", WEEKDAYS_9_TO_6),
]


@dataclass
class DemoSummary:
    workspace_id: int
    channels: int
    messages: int
    created: bool


def build_demo(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    days: int = 90,
    seed: int = 7,
    now: datetime | None = None,
    on_channel: Callable[[str, int], None] | None = None,
) -> DemoSummary:
    """Create the demo workspace once; a second run finds it and changes nothing."""
    with factory() as session:
        existing = session.scalar(select(Workspace).where(Workspace.slug == DEMO_SLUG))
        if existing is not None:
            return DemoSummary(existing.id, 0, 0, created=False)
        ws = create_workspace(
            session,
            workspace_in=WorkspaceCreate(
                name="Northwind Coffee Roasters", slug=DEMO_SLUG, timezone="Europe/Paris"
            ),
        )
        users = []
        for name, email, role, expertise, tz, hours in TEAM:
            users.append(
                create_user(
                    session,
                    user_in=UserCreate(
                        email=email,
                        name=name,
                        password=DEMO_PASSWORD,
                        role=role,
                        expertise=expertise,
                        timezone=tz,
                        working_hours=hours,
                    ),
                    workspace_ids=[] if role is Role.admin else [ws.id],
                )
            )
        ws.fallback_owner_id = users[0].id
        world_dir = settings.data_dir / "demo"
        plans = generate(world_dir, days=days, seed=seed, now=now)
        channel_ids = []
        for plan in plans:
            ch = create_channel(
                session,
                settings=settings,
                workspace_id=ws.id,
                channel_in=ChannelCreate(
                    network="fake",
                    name=plan.name,
                    handle=plan.handle,
                    external_id=f"demo-{plan.key}",
                    config={
                        "source": str(world_dir / f"{plan.key}.jsonl"),
                        "page_size": 1000,
                        "metrics_source": str(world_dir / f"{plan.key}.metrics.jsonl"),
                        "simulates": plan.simulates,
                        "members": plan.members,
                    },
                    credentials={"token": f"demo-token-{plan.key}"},
                ),
            )
            channel_ids.append((plan.name, ch.id))
            # The team's promise per channel: roughly the cadence the plan intends, two days' grace.
            set_target(
                session,
                channel=ch,
                posts_per_week=max(round(plan.posts_per_week), 1),
                max_days_silent=14 if plan.posts_per_week < 1 else 5,
                reply_within_hours=24,
            )
        session.commit()
        workspace_id = ws.id
    total = 0
    for name, cid in channel_ids:
        out = poll_channel(
            factory,
            settings=settings,
            channel_id=cid,
            max_pages=10_000,
            on_batch=lambda stats: after_ingest(stats.new_message_ids),
        )
        if out.error:
            raise RuntimeError(f"demo channel {name}: {out.error}")
        total += out.stats.new
        if on_channel:
            on_channel(name, out.stats.new)
    return DemoSummary(workspace_id, len(channel_ids), total, created=True)
