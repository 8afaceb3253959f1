"""Reports in the dashboard: the index, each report as a page with a date-range form, as PDF (same URL
with `.pdf`), as JSON, and each of its tables as CSV or JSON."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from tending.auth.deps import PagePrincipal
from tending.campaign.service import list_campaigns
from tending.database.core import DbSession, utcnow
from tending.report.framework import ReportData, report_json, table_csv, table_json
from tending.report.registry import REPORTS, ReportInputError, build_report, period
from tending.report.render import template_name, to_pdf
from tending.templating import render
from tending.workspace.models import Workspace
from tending.workspace.pages import PageWorkspace, page_context

router = APIRouter()

NAV = [(80, "reports", "Reports", "/reports")]

EXPORT_TABLES = (
    ("conversations", "Conversations", "status, channel_id, assignee_id, needs_reply filters"),
    ("messages", "Messages", "since / until dates; streamed"),
    ("posts", "Posts", ""),
    ("campaigns", "Campaigns with KPIs", ""),
    ("audit", "Audit log", ""),
    ("channel-health", "Channel health", ""),
)


@router.get("/w/{slug}/reports")
def reports_index(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    return _index(request, db, principal, workspace)


def _index(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: Workspace, error: str | None = None
) -> Response:
    """The index; with `error`, the reason a report could not be built (a 400, e.g. a date out of range)."""
    return render(
        request,
        "reports/index.html",
        principal=principal,
        status_code=400 if error else 200,
        error=error,
        reports=list(REPORTS.values()),
        campaigns=list_campaigns(db, workspace_id=workspace.id),
        exports=EXPORT_TABLES,
        **page_context(db, principal, workspace, "reports"),
    )


def _campaign_id(request: Request) -> int | None:
    raw = request.query_params.get("campaign")
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise ReportInputError("campaign: expected a campaign id")
    return int(raw)


def _build(request: Request, db: DbSession, workspace: Workspace, kind: str) -> ReportData:
    spec = REPORTS.get(kind)
    if spec is None:
        raise HTTPException(404, "no such report")
    now = utcnow()
    since_q, until_q = request.query_params.get("since"), request.query_params.get("until")
    since: datetime | None
    until: datetime | None
    if spec.needs_campaign and not since_q and not until_q:
        since = until = None
    else:
        since, until = period(
            workspace, since=since_q, until=until_q, default_days=spec.default_days, now=now
        )
    campaign_id = _campaign_id(request)
    if spec.needs_campaign and campaign_id is None:
        raise ReportInputError("campaign: choose a campaign")
    # or ReportInputError (422) for a date it cannot use, CampaignNotFound (404)
    return build_report(
        db, kind=kind, workspace=workspace, since=since, until=until, now=now, campaign_id=campaign_id
    )


def _day_after_if_partial(moment: datetime) -> str:
    """The form's "up to (not included)" day: a period ending now includes today, so show tomorrow."""
    day = moment.date()
    if (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
        day += timedelta(days=1)
    return day.isoformat()


def _filename(report: ReportData, suffix: str) -> str:
    return f"{report.workspace_slug}-{report.kind}-{report.since.date()}-{report.until.date()}{suffix}"


@router.get("/w/{slug}/reports/{name}")
def report_page(
    name: str, request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    kind, _, ext = name.partition(".")
    try:
        report = _build(request, db, workspace, kind)
    except ReportInputError as exc:
        if ext:
            raise
        # The report's page answers a bad period on the list of reports, with the form to fix it.
        return _index(request, db, principal, workspace, error=f"{REPORTS[kind].title}: {exc}")
    query = f"?{request.url.query}" if request.url.query else ""
    if ext == "pdf":
        return Response(
            to_pdf(report),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{_filename(report, ".pdf")}"'},
        )
    if ext == "json":
        return Response(
            report_json(report),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{_filename(report, ".json")}"'},
        )
    if ext:
        raise HTTPException(404, "no such format")
    base = f"/w/{workspace.slug}/reports/{kind}"
    campaign = request.query_params.get("campaign")
    return render(
        request,
        template_name(report),
        principal=principal,
        report=report,
        layout="reports/_page.html",
        links=f"{base}/tables",
        table_query=query,
        page_url=base,
        pdf_url=f"{base}.pdf{query}",
        json_url=f"{base}.json{query}",
        extra_params={"campaign": campaign} if campaign else {},
        since_value=report.since.date().isoformat(),
        until_value=_day_after_if_partial(report.until),
        **page_context(db, principal, workspace, "reports"),
    )


@router.get("/w/{slug}/reports/{kind}/tables/{name}")
def report_table(
    kind: str, name: str, request: Request, db: DbSession, _principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    key, _, ext = name.rpartition(".")
    if ext not in ("csv", "json"):
        raise HTTPException(404, "tables download as .csv or .json")
    report = _build(request, db, workspace, kind)
    table = report.table(key)
    if table is None:
        raise HTTPException(404, "no such table in this report")
    disposition = {"Content-Disposition": f'attachment; filename="{_filename(report, f"-{key}.{ext}")}"'}
    if ext == "csv":
        return Response(table_csv(table), media_type="text/csv; charset=utf-8", headers=disposition)
    return Response(table_json(table), media_type="application/json", headers=disposition)
