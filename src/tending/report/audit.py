"""Agency audit: what an agency delivered in a period and whether the audience it reports is real.

Delivery is counted from what tending itself recorded (published posts, replies sent through the desk), so
an agency cannot claim work that did not go through it. Audience growth is split into likely genuine and
suspicious followers by `tending.audience` when that module is installed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tending.auth.models import User
from tending.auth.roles import Role
from tending.campaign.models import Campaign, CampaignAlert
from tending.channel.models import Channel
from tending.inbox.models import Direction, Message
from tending.publishing.models import Post
from tending.report.framework import ReportData, Section, Table
from tending.report.responses import response_sections
from tending.workspace.models import Workspace


def _delivery(session: Session, workspace: Workspace, since: datetime, until: datetime) -> Section:
    posts = session.execute(
        select(Channel.name, User.role, func.count(Post.id))
        .join(Channel, Channel.id == Post.channel_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(
            Post.workspace_id == workspace.id,
            Post.published_at.is_not(None),
            Post.published_at >= since,
            Post.published_at < until,
        )
        .group_by(Channel.name, User.role)
        .order_by(Channel.name)
    ).all()
    replies = session.execute(
        select(User.name, User.role, func.count(Message.id))
        .outerjoin(User, User.id == Message.sent_by_id)
        .where(
            Message.workspace_id == workspace.id,
            Message.direction == Direction.outbound.value,
            Message.kind == "reply",
            Message.created_at >= since,
            Message.created_at < until,
        )
        .group_by(User.name, User.role)
        .order_by(func.count(Message.id).desc())
    ).all()
    seen = session.execute(
        select(Channel.name, func.count(Message.id))
        .join(Channel, Channel.id == Message.channel_id)
        .where(
            Message.workspace_id == workspace.id,
            Message.direction == Direction.outbound.value,
            Message.kind == "post",
            Message.created_at >= since,
            Message.created_at < until,
        )
        .group_by(Channel.name)
        .order_by(Channel.name)
    ).all()
    by_agency = sum(n for _name, role, n in replies if role == Role.agency.value)
    by_others = sum(n for _name, role, n in replies if role != Role.agency.value)
    posts_agency = sum(n for _c, role, n in posts if role == Role.agency.value)
    return Section(
        "Delivered",
        notes=["Counted from what went through tending: posts it published and replies sent from the desk."],
        figures=[
            ("Posts published", str(sum(n for *_x, n in posts))),
            ("of which written by the agency", str(posts_agency)),
            ("Brand posts seen on the channels (any tool)", str(sum(n for _c, n in seen))),
            ("Replies sent by the agency", str(by_agency)),
            ("Replies sent by others (brand team, outside tending)", str(by_others)),
        ],
        tables=[
            Table(
                "posts-published",
                "Posts published per channel",
                ["channel", "author role", "posts"],
                [[c, role or "unknown", n] for c, role, n in posts],
            ),
            Table(
                "posts-seen",
                "Brand posts seen on the channels, whoever published them",
                ["channel", "posts"],
                [[c, n] for c, n in seen],
            ),
            Table(
                "replies-sent",
                "Replies sent per person",
                ["person", "role", "replies"],
                [[name or "outside tending", role or "—", n] for name, role, n in replies],
            ),
        ],
    )


def audience_section(session: Session, *, workspace: Workspace, since: datetime, until: datetime) -> Section:
    title = "Audience growth: likely genuine and suspicious"
    try:
        from tending.report.audience_adapter import audience_growth
    except ImportError:
        return Section(title, notes=["audience authenticity analysis is not installed."], available=False)
    return audience_growth(session, workspace=workspace, since=since, until=until, title=title)


def _spikes(session: Session, workspace: Workspace, since: datetime, until: datetime) -> Section:
    rows = session.execute(
        select(CampaignAlert, Campaign.name)
        .join(Campaign, Campaign.id == CampaignAlert.campaign_id)
        .where(
            CampaignAlert.workspace_id == workspace.id,
            CampaignAlert.kind == "spike",
            CampaignAlert.created_at >= since,
            CampaignAlert.created_at < until,
        )
        .order_by(CampaignAlert.created_at)
    ).all()
    table_rows: list[list[Any]] = []
    for alert, campaign_name in rows:
        d = alert.detail or {}
        table_rows.append(
            [
                (alert.at or alert.created_at).isoformat(timespec="minutes"),
                campaign_name,
                alert.metric or d.get("metric", ""),
                d.get("value"),
                d.get("expected"),
                d.get("upper"),
                d.get("messages_in_bucket"),
                d.get("summary", ""),
            ]
        )
    return Section(
        "Spikes and their evidence",
        notes=["A spike is a bucket above the seasonal band expected for that hour of the week."],
        figures=[("Spikes", str(len(table_rows)))],
        tables=[
            Table(
                "spikes",
                "Spikes",
                ["at", "campaign", "metric", "value", "expected", "band top", "messages", "summary"],
                table_rows,
            )
        ],
    )


def build(
    session: Session, *, workspace: Workspace, since: datetime, until: datetime, now: datetime
) -> ReportData:
    responses = response_sections(session, workspace=workspace, since=since, until=until, now=now)
    return ReportData(
        kind="audit",
        title="Agency audit",
        workspace_name=workspace.name,
        workspace_slug=workspace.slug,
        since=since,
        until=until,
        generated_at=now,
        sections=[
            _delivery(session, workspace, since, until),
            *responses[:3],
            audience_section(session, workspace=workspace, since=since, until=until),
            _spikes(session, workspace, since, until),
        ],
    )
