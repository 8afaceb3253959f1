"""Weekly digest: channels at risk, channels to revive or retire, what still waits, campaign alerts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.cadence.service import weekly_digest
from tending.campaign.models import Campaign, CampaignAlert
from tending.inbox.models import Message
from tending.overview.service import waiting_by_age
from tending.report.framework import ReportData, Section, Table
from tending.workspace.models import Workspace

WEEK = timedelta(days=7)


def build(
    session: Session,
    *,
    workspace: Workspace,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime,
) -> ReportData:
    end = until or now
    start = since or end - WEEK
    digest = weekly_digest(session, workspace_id=workspace.id, now=end)
    waiting = waiting_by_age(session, workspace_id=workspace.id, timezone=workspace.timezone, now=now)
    waiting_total = sum(b.count for b in waiting)
    off_hours = sum(b.off_hours for b in waiting)
    alerts = session.execute(
        select(CampaignAlert, Campaign.name, Message.text)
        .join(Campaign, Campaign.id == CampaignAlert.campaign_id)
        .outerjoin(Message, Message.id == CampaignAlert.message_id)
        .where(
            CampaignAlert.workspace_id == workspace.id,
            CampaignAlert.created_at >= start,
            CampaignAlert.created_at < end,
        )
        .order_by(CampaignAlert.created_at)
    ).all()
    alert_rows: list[list[Any]] = []
    for a, campaign_name, text in alerts:
        d = a.detail or {}
        alert_rows.append(
            [
                a.created_at.isoformat(timespec="minutes"),
                campaign_name,
                a.kind.replace("_", " "),
                d.get("scenario") or d.get("summary") or a.metric or "",
                (text or "")[:280],
            ]
        )
    sections = [
        Section(
            "Channels at risk",
            figures=[("At risk", str(len(digest.at_risk))), ("Healthy", str(len(digest.healthy)))],
            tables=[
                Table(
                    "at-risk",
                    "Channels at risk",
                    ["channel", "network", "days silent", "overdue replies", "problems"],
                    [
                        [
                            h.name,
                            h.network,
                            None if h.days_silent is None else round(h.days_silent, 1),
                            h.unanswered_overdue,
                            "; ".join(h.problems),
                        ]
                        for h in digest.at_risk
                    ],
                )
            ],
        ),
        Section(
            "Revive or retire",
            notes=["A channel nobody keeps alive hurts the brand more than no channel."],
            tables=[
                Table(
                    "retire",
                    "Retirement proposals",
                    ["channel", "network", "why"],
                    [[h.name, h.network, why] for h, why in digest.retire],
                )
            ],
        ),
        Section(
            "Waiting for an answer",
            figures=[("Waiting now", str(waiting_total)), ("Arrived off-hours", str(off_hours))],
            tables=[
                Table(
                    "waiting",
                    "Waiting by age",
                    ["age", "waiting", "arrived off-hours"],
                    [[b.label, b.count, b.off_hours] for b in waiting],
                )
            ],
        ),
        Section(
            "Campaign alerts of the week",
            figures=[("Alerts", str(len(alert_rows)))],
            tables=[
                Table(
                    "campaign-alerts",
                    "Campaign alerts",
                    ["at", "campaign", "kind", "what", "message"],
                    alert_rows,
                    wide_column="message",
                )
            ],
        ),
    ]
    subject = (
        f"[{workspace.name}] Weekly digest {digest.period}: {waiting_total} waiting, "
        f"{len(digest.at_risk)} channels at risk, {len(alert_rows)} campaign alerts"
    )
    return ReportData(
        kind="digest",
        title=f"Weekly digest {digest.period}",
        workspace_name=workspace.name,
        workspace_slug=workspace.slug,
        since=start,
        until=end,
        generated_at=now,
        sections=sections,
        subject=subject,
    )
