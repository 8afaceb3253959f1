"""Campaign report: KPIs against target, the worst-case scenarios that fired, response figures during the
campaign, and the sales lift (observed against the counterfactual band) where it can be estimated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.campaign.kpi import KpiProgress, kpi_progress
from tending.campaign.models import Campaign, CampaignAlert, Kpi, KpiMeasurement
from tending.campaign.service import get_campaign
from tending.inbox.models import Message
from tending.report import charts
from tending.report.framework import Chart, ReportData, Section, Table, slug
from tending.report.responses import response_sections
from tending.workspace.models import Workspace

LIFT_METRICS = ("sales", "signups")


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    if float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.3f}" if abs(v) < 1 else f"{v:,.1f}"


def _kpi_section(k: KpiProgress) -> Section:
    key = f"kpi-{k.kpi_id}-{slug(k.name)}"
    rows = [
        [p.at.date().isoformat(), round(p.value, 4), None if p.expected is None else round(p.expected, 4)]
        for p in k.points
    ]
    table = Table(key, f"{k.name}: measured and expected", ["day", "measured", "expected"], rows)
    figures = [
        ("Metric", f"{k.metric} ({k.source})"),
        ("Status", k.status.replace("_", " ")),
        ("Latest", _fmt(k.latest)),
        ("Expected now", _fmt(k.expected_now)),
        ("Target", _fmt(k.target) + ("" if k.direction == "up" else " (lower is better)")),
    ]
    chart_list: list[Chart] = []
    if k.points:
        chart_list.append(
            Chart(
                f"{k.name} against its target",
                alt=(
                    f"Line chart of {k.name}: latest {_fmt(k.latest)}, "
                    f"expected {_fmt(k.expected_now)} by now, "
                    f"target {_fmt(k.target)}; status {k.status.replace('_', ' ')}."
                ),
                drawing=charts.line_chart(
                    x=[p.at for p in k.points],
                    series=[
                        ("measured", [p.value for p in k.points], "solid"),
                        ("expected path", [p.expected for p in k.points], "dashed"),
                    ],
                    hline=(k.target, "target") if k.target is not None else None,
                ),
                table=table,
            )
        )
        return Section(f"KPI: {k.name}", figures=figures, charts=chart_list)
    return Section(f"KPI: {k.name}", notes=["No measurement yet."], figures=figures)


def _alert_rows(session: Session, campaign: Campaign, since: datetime, until: datetime) -> list[list[Any]]:
    alerts = session.execute(
        select(CampaignAlert, Message.text)
        .outerjoin(Message, Message.id == CampaignAlert.message_id)
        .where(
            CampaignAlert.campaign_id == campaign.id,
            CampaignAlert.created_at >= since,
            CampaignAlert.created_at < until,
        )
        .order_by(CampaignAlert.created_at, CampaignAlert.id)
    ).all()
    rows: list[list[Any]] = []
    for a, text in alerts:
        detail = a.detail or {}
        what = detail.get("scenario") or (f"{a.metric} spike" if a.metric else a.kind)
        rows.append(
            [
                (a.at or a.created_at).isoformat(timespec="minutes"),
                a.kind.replace("_", " "),
                what,
                detail.get("responder") or "",
                (text or "")[:280],
                "yes" if a.acknowledged_at else "no",
            ]
        )
    return rows


def lift_section(session: Session, *, kpi: Kpi, launch: datetime | None, now: datetime) -> Section:
    """Observed against counterfactual for a sales/sign-ups KPI: pre period before launch, post after."""
    title = f"Sales lift: {kpi.name}"
    if launch is None:
        return Section(
            title, notes=["the campaign has not launched, so there is no post period."], available=False
        )
    try:
        from tending.report.lift_adapter import lift_figures
    except ImportError:
        return Section(title, notes=["sales-lift estimation is not installed."], available=False)
    points = list(
        session.execute(
            select(KpiMeasurement.at, KpiMeasurement.value)
            .where(KpiMeasurement.kpi_id == kpi.id, KpiMeasurement.at <= now)
            .order_by(KpiMeasurement.at)
        ).all()
    )
    from tending.campaign.outcomes import control_series

    return lift_figures(
        kpi_name=kpi.name,
        points=[(a, v) for a, v in points],
        launch=launch,
        title=title,
        controls=control_series(session, kpi_id=kpi.id),
    )


def build(
    session: Session,
    *,
    workspace: Workspace,
    campaign_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime,
) -> ReportData:
    campaign = get_campaign(session, campaign_id=campaign_id, workspace_id=workspace.id)
    starts = [t for t in (campaign.starts_at, campaign.launched_at) if t is not None]
    start = since or (min(starts) if starts else campaign.created_at)
    end = until or min(campaign.ends_at or now, now)
    if end <= start:
        end = now
    summary = Section(
        campaign.name,
        notes=[campaign.objective] if campaign.objective else [],
        figures=[
            ("Status", campaign.status),
            ("Launched", campaign.launched_at.date().isoformat() if campaign.launched_at else "not launched"),
            ("Ends", campaign.ends_at.date().isoformat() if campaign.ends_at else "open-ended"),
            ("Channels", ", ".join(c.name for c in campaign.channels) or "none"),
        ],
    )
    sections = [summary]
    progress = kpi_progress(session, campaign_id=campaign.id, now=now)
    sections.extend(_kpi_section(k) for k in progress)
    kpis = {k.id: k for k in session.scalars(select(Kpi).where(Kpi.campaign_id == campaign.id))}
    for k in progress:
        if k.metric in LIFT_METRICS and k.points:
            sections.append(lift_section(session, kpi=kpis[k.kpi_id], launch=campaign.launched_at, now=now))
    alert_rows = _alert_rows(session, campaign, start, end)
    sections.append(
        Section(
            "Scenarios that fired and spikes",
            figures=[("Alerts", str(len(alert_rows)))],
            tables=[
                Table(
                    "alerts",
                    "Campaign alerts",
                    ["at", "kind", "scenario or metric", "responder", "message", "acknowledged"],
                    alert_rows,
                    wide_column="message",
                )
            ],
        )
    )
    for s in response_sections(
        session, workspace=workspace, since=start, until=end, now=now, prefix="responses-"
    ):
        s.title = f"During the campaign — {s.title}"
        sections.append(s)
    return ReportData(
        kind="campaign",
        title=f"Campaign report: {campaign.name}",
        workspace_name=workspace.name,
        workspace_slug=workspace.slug,
        since=start,
        until=end,
        generated_at=now,
        sections=sections,
    )
