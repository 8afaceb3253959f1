"""The agency audit's audience section, from `tending.audience`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tending.audience.service import growth_audit
from tending.report.framework import Section, Table
from tending.workspace.models import Workspace


def audience_growth(
    session: Session, *, workspace: Workspace, since: datetime, until: datetime, title: str
) -> Section:
    rows = growth_audit(session, workspace_id=workspace.id, since=since, until=until)
    if not rows:
        return Section(title, notes=["no audience figures stored for this period"])
    growth = [
        [g.channel, g.metric, g.start, g.end, g.genuine_followers, g.suspicious_followers] for g in rows
    ]
    jumps = [
        [g.channel, j.day.isoformat(), j.metric, j.before, j.after, j.verdict, "; ".join(j.evidence)]
        for g in rows
        for j in g.jumps
    ]
    notes = [f"{len(jumps)} jumps out of line with their own history"] if jumps else ["no jump out of line"]
    return Section(
        title,
        notes=notes,
        tables=[
            Table(
                "audience_growth",
                "Audience over the period",
                ["channel", "figure", "start", "end", "likely genuine", "suspicious"],
                growth,
            ),
            Table(
                "audience_jumps",
                "Jumps and their evidence",
                ["channel", "day", "figure", "before", "after", "verdict", "evidence"],
                jumps,
                wide_column="evidence",
            ),
        ],
    )
