"""Weekly digest: channels at risk, channels to revive or retire, what still waits, the week's alert
incidents (those that began in the period only, so a week's digest never repeats older ones)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tending.alerts.models import IncidentKind
from tending.alerts.service import incidents_in_period, place_names, places
from tending.cadence.service import weekly_digest
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
    incidents = incidents_in_period(session, workspace_id=workspace.id, since=start, until=end)
    where = place_names(session, workspace)  # names of channels and campaigns, read once
    alert_rows: list[list[Any]] = [
        [
            i.opened_at.isoformat(timespec="minutes"),
            IncidentKind(i.kind).label,
            ", ".join(where.get(p, workspace.name) for p in places(i)),
            i.title,
            i.alert_count,
            i.state,
        ]
        for i in incidents
    ]
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
            "Alerts of the week",
            notes=[
                "Incidents that began this week; each groups the alerts of one kind, channel or campaign."
            ],
            figures=[
                ("Incidents", str(len(alert_rows))),
                ("Alerts in them", str(sum(i.alert_count for i in incidents))),
            ],
            tables=[
                Table(
                    "alerts",
                    "Alert incidents",
                    ["began", "kind", "where", "what", "alerts", "state"],
                    alert_rows,
                    wide_column="what",
                )
            ],
        ),
    ]
    subject = (
        f"[{workspace.name}] Weekly digest {digest.period}: {waiting_total} waiting, "
        f"{len(digest.at_risk)} channels at risk, {len(alert_rows)} alert incidents"
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
