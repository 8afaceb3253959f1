"""Responses report: backlog by age (off-hours highlighted), response rate, first-response times in clock
and business hours, per channel, per member and by hour of the week."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.channel.models import Channel
from tending.inbox.models import Conversation
from tending.report import charts
from tending.report.framework import Chart, ReportData, Section, Table, hours, pct
from tending.workspace.models import Workspace

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STAT_COLUMNS = [
    "messages",
    "answered",
    "response rate",
    "median (clock)",
    "p90 (clock)",
    "median (business)",
    "p90 (business)",
]


def _stat_row(name: str, s: object) -> list[object]:
    return [
        name,
        getattr(s, "messages", 0),
        getattr(s, "answered", 0),
        pct(getattr(s, "response_rate", None), 1),
        hours(getattr(s, "median_wall_hours", None)),
        hours(getattr(s, "p90_wall_hours", None)),
        hours(getattr(s, "median_business_hours", None)),
        hours(getattr(s, "p90_business_hours", None)),
    ]


LONGEST_WAITING = 25


def _longest_waiting(session: Session, *, workspace: Workspace, key: str, now: datetime) -> Table:
    """The conversations waiting longest, in the customer's words; off-hours arrivals highlighted."""
    from tending.sla.business_hours import is_open
    from tending.sla.figures import workspace_schedule

    schedule = workspace_schedule(session, workspace=workspace)[0]
    rows = session.execute(
        select(
            Conversation.id,
            Channel.name,
            Conversation.last_inbound_at,
            Conversation.last_author,
            Conversation.preview,
        )
        .join(Channel, Channel.id == Conversation.channel_id)
        .where(
            Conversation.workspace_id == workspace.id,
            Conversation.needs_reply.is_(True),
            Conversation.status != "closed",
            Conversation.last_inbound_at.is_not(None),
        )
        .order_by(Conversation.last_inbound_at, Conversation.id)
        .limit(LONGEST_WAITING)
    ).all()
    return Table(
        f"{key}longest-waiting",
        "Waiting longest",
        ["conversation", "channel", "waiting since", "waiting", "author", "message", "arrived off-hours"],
        [
            [
                cid,
                channel,
                since.strftime("%Y-%m-%d %H:%M"),
                hours((now - since).total_seconds() / 3600),
                author,
                preview,
                not is_open(since, schedule),
            ]
            for cid, channel, since, author, preview in rows
            if since is not None
        ],
        caption=f"the {LONGEST_WAITING} oldest, whatever the period",
        highlight_column="arrived off-hours",
        wide_column="message",
    )


def response_sections(
    session: Session,
    *,
    workspace: Workspace,
    since: datetime,
    until: datetime,
    now: datetime,
    prefix: str = "",
) -> list[Section]:
    """The response figures of a period as report sections (also used inside the campaign report)."""
    try:
        from tending.sla.figures import response_figures
    except ImportError:
        return [Section("Responses", notes=["response-time accounting is not installed."], available=False)]
    f = response_figures(session, workspace_id=workspace.id, since=since, until=until, now=now)
    key = f"{prefix}" if prefix else ""
    headline = Section(
        "Response rate and first-response time",
        notes=[
            "Clock hours count nights and weekends, as customers live them; business hours use "
            f"{f.business_hours_source} in {f.timezone}."
        ],
        figures=[
            ("Messages", str(f.overall.messages)),
            ("Answered", str(f.overall.answered)),
            ("Response rate", pct(f.overall.response_rate, 1)),
            ("Median first response (clock)", hours(f.overall.median_wall_hours)),
            ("P90 first response (clock)", hours(f.overall.p90_wall_hours)),
            ("Median first response (business hours)", hours(f.overall.median_business_hours)),
            ("P90 first response (business hours)", hours(f.overall.p90_business_hours)),
        ],
    )
    waiting = Table(
        f"{key}unanswered",
        "Waiting for a reply, by age",
        ["age", "waiting", "arrived off-hours"],
        [[b.label, b.count, b.off_hours] for b in f.unanswered],
        caption=f"{f.unanswered_total} waiting, {f.unanswered_off_hours} of them arrived off-hours",
    )
    backlog = Section(
        "Unanswered",
        tables=[_longest_waiting(session, workspace=workspace, key=key, now=now)],
        figures=[
            ("Waiting now", str(f.unanswered_total)),
            ("Arrived off-hours", str(f.unanswered_off_hours)),
        ],
        charts=[
            Chart(
                "Waiting conversations by age (red: arrived off-hours)",
                alt="Bar chart of waiting conversations by age: "
                + ", ".join(f"{b.label}: {b.count} ({b.off_hours} off-hours)" for b in f.unanswered),
                drawing=charts.bar_chart(
                    labels=[b.label for b in f.unanswered],
                    values=[b.count for b in f.unanswered],
                    highlight=[b.off_hours for b in f.unanswered],
                    label="waiting",
                    highlight_label="arrived off-hours",
                ),
                table=waiting,
            )
        ],
    )
    per = Section(
        "Per channel and per member",
        tables=[
            Table(
                f"{key}per-channel",
                "Per channel",
                ["channel", *STAT_COLUMNS],
                [_stat_row(n, s) for n, s in f.per_channel.items()],
            ),
            Table(
                f"{key}per-member",
                "Per member (assignee)",
                ["member", *STAT_COLUMNS],
                [_stat_row(n, s) for n, s in f.per_member.items()],
            ),
        ],
    )
    heat_rows = [[WEEKDAYS[d], *row] for d, row in enumerate(f.heatmap)]
    busiest = max(
        ((WEEKDAYS[d], h, c) for d, row in enumerate(f.heatmap) for h, c in enumerate(row)),
        key=lambda x: x[2],
        default=None,
    )
    busy_text = (
        f"busiest hour {busiest[0]} {busiest[1]:02d}:00 with {busiest[2]} arrivals"
        if busiest and busiest[2]
        else "no arrivals"
    )
    heat = Section(
        f"Arrivals by weekday and hour ({f.timezone})",
        charts=[
            Chart(
                "Conversations opened by weekday and hour",
                alt=f"Heat map of conversations opened by weekday and hour; {busy_text}.",
                drawing=charts.heatmap(rows=WEEKDAYS, grid=f.heatmap, label="messages"),
                table=Table(
                    f"{key}heatmap",
                    "Arrivals by weekday and hour",
                    ["day", *[f"{h:02d}" for h in range(24)]],
                    heat_rows,
                ),
            )
        ],
    )
    return [headline, backlog, per, heat]


def build(
    session: Session, *, workspace: Workspace, since: datetime, until: datetime, now: datetime
) -> ReportData:
    return ReportData(
        kind="responses",
        title="Responses",
        workspace_name=workspace.name,
        workspace_slug=workspace.slug,
        since=since,
        until=until,
        generated_at=now,
        sections=response_sections(session, workspace=workspace, since=since, until=until, now=now),
    )
