"""Building the demo desk: a workspace, a team, channels on the fake network, and 90 days of history
ingested through the same polling path real channels use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tending.alerts.channel_spikes import scan_channel_spikes
from tending.answers.models import PreparedAnswerCreate
from tending.answers.service import create_answer
from tending.audience.service import fetch_metrics, raise_jump_alerts
from tending.auth.models import Role, User, UserCreate
from tending.auth.service import create_user
from tending.cadence.service import check_cadence, set_target
from tending.campaign.launch import launch_campaign
from tending.campaign.models import (
    Campaign,
    CampaignCreate,
    CampaignStatus,
    KpiCreate,
    MetricKind,
    ScenarioCreate,
)
from tending.campaign.outcomes import import_outcomes
from tending.campaign.service import add_kpi, add_scenario, create_campaign
from tending.campaign.spikes import scan_campaign_spikes
from tending.channel.models import Channel, ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.database.core import utcnow
from tending.demo.listening_world import listen_in_demo
from tending.demo.world import LAUNCH_DAY, RECENT_DAYS, generate, write_sales
from tending.ingest.poll import poll_channel
from tending.ingest.signals import after_ingest
from tending.routing.models import RoutingRuleCreate
from tending.routing.service import create_rule, route_unassigned
from tending.sla.models import SlaPolicyCreate
from tending.sla.service import create_policy
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


SCENARIOS = [
    (
        "Product safety scare",
        "A batch is questioned or recalled; people fear for their health.",
        ["recall", "contaminated", "safe to drink", "sick"],
        ["Is it safe to drink the coffee I have at home?"],
        "Link the official notice and lab results, offer a refund, move the thread to DM for order details.",
    ),
    (
        "Price backlash",
        "The new blend's price is called greedy.",
        ["too expensive", "price", "greedy"],
        ["Why is the spring blend twice the price?"],
        "Explain the farm-gate price we pay and point to the lower-priced house blend.",
    ),
    (
        "Delivery delays",
        "The launch week overwhelms shipping.",
        ["late", "still waiting", "where is my order"],
        ["Ordered the spring blend a week ago and nothing"],
        "Apologise, give the real shipping date, offer free shipping on the next order.",
    ),
    (
        "Sustainability claim challenged",
        "Someone questions the 'fully recyclable' claim.",
        ["greenwashing", "not recyclable", "plastic"],
        ["Your bag is not recyclable where I live"],
        "Share the packaging certificate and the local collection map, thank them for asking.",
    ),
    (
        "Staff reply goes viral",
        "A curt answer from the brand is screenshotted and shared.",
        ["rude", "disrespectful", "screenshot"],
        ["Wow the reply I got from Northwind was so rude"],
        "Apologise publicly without excuses, follow up in private, review the reply with the team.",
    ),
]


def _demo_campaign(
    session: Session,
    *,
    workspace_id: int,
    owner: User,
    responders: list[User],
    channel_ids: list[int],
    start: datetime,
    sales_file: Path,
) -> None:
    """A disputable launch planned with its worst cases, launched before the overnight recall wave, so
    that the wave's messages match the safety scenario; its sales KPI comes with the shop's daily export."""
    campaign = create_campaign(
        session,
        workspace_id=workspace_id,
        campaign_in=CampaignCreate(
            name="Spring blend relaunch",
            objective="Grow online sales of the spring blend by 20% in a quarter",
            owner_id=owner.id,
            disputable=True,
            channel_ids=channel_ids,
            hashtags=["#northwindspring"],
            keywords=["spring blend"],
            starts_at=start + timedelta(days=LAUNCH_DAY),
            ends_at=start + timedelta(days=120),
        ),
    )
    add_kpi(
        session,
        campaign_id=campaign.id,
        kpi_in=KpiCreate(
            name="Mentions of the launch", metric=MetricKind.mentions, target=400, horizon_days=60
        ),
    )
    sales = add_kpi(
        session,
        campaign_id=campaign.id,
        kpi_in=KpiCreate(
            name="Online sales per day", metric=MetricKind.sales, target=480, horizon_days=90, baseline=400
        ),
    )
    import_outcomes(
        session,
        kpi=sales,
        text=sales_file.read_text(encoding="utf-8"),
        source=sales_file.name,
        y="online_sales",
    )
    for i, (title, what, keys, examples, reaction) in enumerate(SCENARIOS):
        add_scenario(
            session,
            campaign_id=campaign.id,
            scenario_in=ScenarioCreate(
                title=title,
                what_happens=what,
                trigger_keywords=keys,
                example_messages=examples,
                responder_id=responders[i % len(responders)].id,
                reaction=reaction,
            ),
        )
    launch_campaign(session, campaign_id=campaign.id, actor=owner, now=start + timedelta(days=30))


@dataclass
class DemoSummary:
    workspace_id: int
    channels: int
    messages: int
    created: bool


# The desk a team sets up on day one: who answers what, how fast, and the answers experts prepared.
ROUTING = [
    ("Billing questions to billing", ["billing", "pricing"], "billing"),
    ("Delivery and shops to delivery", ["delivery", "store"], "delivery"),
    ("Product questions to product", ["product"], "product"),
]
ANSWERS = [
    (
        "Delivery times",
        "Hi! Orders leave our roastery within 24 hours; delivery takes 2-3 working days in France and 4-6 "
        "elsewhere in Europe. If yours is later than that, send us the order number and we will chase it.",
        ["delivery"],
        ["https://northwind.example/help/delivery"],
    ),
    (
        "Charged twice",
        "Sorry about that. A double charge is usually a card pre-authorisation that drops off within "
        "3 days; if it is still there, DM us the order number and we refund the duplicate the same day.",
        ["billing"],
        ["https://northwind.example/help/payments"],
    ),
    (
        "Pause a subscription",
        "You can pause your subscription for up to 8 weeks under Account → Subscription → Pause; nothing is "
        "charged while it is paused. Safe travels!",
        ["subscription"],
        ["https://northwind.example/account/subscription"],
    ),
    (
        "Grind size",
        "For a French press go coarse (like sea salt); for a moka pot, fine but not espresso-fine. Our brew "
        "guide has a picture of each grind.",
        ["product"],
        ["https://northwind.example/brew-guide"],
    ),
    (
        "Damaged parcel",
        "That is not how your coffee should arrive - sorry. Send us a photo of the parcel by DM and "
        "we will ship a new bag today, no need to return anything.",
        ["delivery", "product"],
        [],
    ),
    (
        "Café opening hours",
        "Our cafés are open Monday to Saturday 8:00-19:00 and Sunday 9:00-17:00 "
        "(Oberkampf: Sunday until 18:00).",
        ["store"],
        ["https://northwind.example/cafes"],
    ),
]


ANSWER_EXAMPLES = {
    "Delivery times": ["How long does delivery take?", "My order still hasn't arrived"],
    "Charged twice": ["I was charged twice for my order", "Please refund the duplicate payment"],
    "Pause a subscription": ["Can I pause my subscription while travelling?"],
    "Grind size": ["What grind size for a French press?", "Is it good for a moka pot?"],
    "Damaged parcel": ["The bag arrived torn, beans everywhere"],
    "Café opening hours": ["Is the café open on Sundays?"],
}


def _demo_desk_settings(session: Session, *, workspace_id: int, owner: User) -> None:
    """Routing rules, SLA policies and prepared answers, so the demo inbox routes, times and suggests."""
    for position, (name, topics, expertise) in enumerate(ROUTING, start=1):
        create_rule(
            session,
            workspace_id=workspace_id,
            rule_in=RoutingRuleCreate(
                name=name, position=position * 10, match_topics=topics, target_expertise=expertise
            ),
        )
    create_policy(
        session,
        workspace_id=workspace_id,
        policy_in=SlaPolicyCreate(
            name="Standard: first answer within 4 business hours",
            first_response_hours=4,
            resolution_hours=48,
            business_hours=WEEKDAYS_9_TO_6,
            timezone="Europe/Paris",
            escalation_member_id=owner.id,
        ),
    )
    create_policy(
        session,
        workspace_id=workspace_id,
        policy_in=SlaPolicyCreate(
            name="Sensitive: within 1 hour, day and night",
            priority="sensitive",
            first_response_hours=1,
            resolution_hours=12,
            timezone="Europe/Paris",
            escalation_member_id=owner.id,
        ),
    )
    for title, body, topics, links in ANSWERS:
        create_answer(
            session,
            workspace_id=workspace_id,
            author_id=owner.id,
            answer_in=PreparedAnswerCreate.model_validate(
                {
                    "title": title,
                    "body": body,
                    "topics": topics,
                    "links": links,
                    "examples": ANSWER_EXAMPLES.get(title, []),
                }
            ),
        )


def _tidy_old_backlog(session: Session, *, workspace_id: int, now: datetime) -> None:
    """What the team did with older messages nobody answered: bots' spam hidden (with a reason), and
    praise and chatter that is neither urgent nor negative marked "no reply needed", each by a person,
    through the services (so the audit log shows it). The last days stay as they came in: that is the
    queue the demo opens on."""
    from tending.inbox.models import Message, ReplyState, UrgencyBand
    from tending.inbox.reply_state import mark_no_reply_needed
    from tending.moderation.service import hide_message
    from tending.triage.service import triage_messages

    # Triage normally ran from the ingestion hook; where no worker ran it (tests), it runs here, once.
    untriaged = session.scalars(
        select(Message.id).where(
            Message.workspace_id == workspace_id, Message.direction == "inbound", Message.sentiment.is_(None)
        )
    )
    triage_messages(session, message_ids=list(untriaged))

    team = list(session.scalars(select(User).where(User.email.in_([t[1] for t in TEAM])).order_by(User.id)))
    moderator, triager = team[0], team[-1]
    old = [
        Message.workspace_id == workspace_id,
        Message.reply_state == ReplyState.needs_reply.value,
        Message.created_at < now - timedelta(days=RECENT_DAYS),
    ]
    for mid in session.scalars(select(Message.id).where(*old, Message.intent == "spam")):
        hide_message(
            session, message_id=mid, actor=moderator, reason="bot link, no question", category="spam"
        )
    # Older praise and community chatter ("Anyone tried the kit with oat milk?"): read, not answered.
    quiet = list(
        session.scalars(
            select(Message.id).where(
                *old,
                Message.urgency_band != UrgencyBand.high.value,
                Message.sentiment != "negative",
                Message.intent.in_(["praise", "other", "question"]),
            )
        )
    )
    if quiet:
        mark_no_reply_needed(
            session, workspace_id=workspace_id, message_ids=quiet, actor_id=triager.id, reason="praise, read"
        )


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
        world_dir = settings.demo_dir
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
                        # names inside the demo folder, the only place the fake connector reads
                        "source": f"{plan.key}.jsonl",
                        "page_size": 1000,
                        "metrics_source": f"{plan.key}.metrics.jsonl",
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
        _demo_desk_settings(session, workspace_id=ws.id, owner=users[0])
        _demo_campaign(
            session,
            workspace_id=ws.id,
            owner=users[0],
            responders=users[1:4],
            channel_ids=[cid for _n, cid in channel_ids[:3]],
            start=(now or utcnow()) - timedelta(days=days),
            sales_file=write_sales(world_dir, days=days, seed=seed, now=now or utcnow()),
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
        with factory() as session:  # the audience figures the demo network reports
            demo_channel = session.get(Channel, cid)
            if demo_channel is not None:
                fetch_metrics(
                    session,
                    settings=settings,
                    channel=demo_channel,
                    since=(now or utcnow()) - timedelta(days=days + 1),
                    until=now or utcnow(),
                )
                session.commit()
        if on_channel:
            on_channel(name, out.stats.new)
    with factory() as session:  # the team's own triage of the weeks it caught up on
        _tidy_old_backlog(session, workspace_id=workspace_id, now=now or utcnow())
        session.commit()
    with factory() as session:  # what the worker's minute tick does: give every open conversation an owner
        route_unassigned(session, workspace_id=workspace_id, now=now or utcnow())
        session.commit()
    listen_in_demo(  # untagged talk about the brand, for the listening page
        factory,
        settings=settings,
        workspace_id=workspace_id,
        channel_id=channel_ids[0][1],
        days=days,
        seed=seed,
        now=now or utcnow(),
    )
    with factory() as session:
        detect_over_history(
            session,
            workspace_id=workspace_id,
            since=(now or utcnow()) - timedelta(days=days),
            now=now or utcnow(),
        )
        session.commit()
    return DemoSummary(workspace_id, len(channel_ids), total, created=True)


def detect_over_history(session: Session, *, workspace_id: int, since: datetime, now: datetime) -> None:
    """Run the history through the detectors a live desk runs as messages arrive (scenario matching ran
    during ingestion), so each alert lands at the time its event happened: spikes of every launched
    campaign over its whole period and of every channel over the whole history (the detector reads each
    series in order, with no look-ahead), audience jumps day by day, and this week's cadence check."""
    for campaign in session.scalars(
        select(Campaign).where(
            Campaign.workspace_id == workspace_id, Campaign.status == CampaignStatus.launched.value
        )
    ):
        start = max(since, campaign.launched_at or since)
        scan_campaign_spikes(session, campaign_id=campaign.id, since=start, until=now, now=now)
    for channel in session.scalars(select(Channel).where(Channel.workspace_id == workspace_id)):
        scan_channel_spikes(session, channel=channel, since=since, until=now, now=now)
    raise_jump_alerts(session, workspace_id=workspace_id, since=since, until=now)
    check_cadence(session, workspace_id=workspace_id, now=now)
