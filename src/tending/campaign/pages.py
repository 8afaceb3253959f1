"""Campaign pages: the list, a new campaign, and a campaign's plan, KPIs, worst cases and alerts."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from tending.audit.service import record
from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.campaign import service
from tending.campaign.kpi import kpi_progress
from tending.campaign.launch import LaunchRefused, launch_campaign, launch_requirements
from tending.campaign.models import (
    Campaign,
    CampaignAlert,
    CampaignCreate,
    KpiCreate,
    KpiDirection,
    MetricKind,
    ScenarioCreate,
)
from tending.channel.service import list_for_workspace
from tending.database.core import DbSession, utcnow
from tending.moments import parse_moment
from tending.templating import render
from tending.workspace.models import Workspace
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.scope import ForeignId
from tending.workspace.service import members_of

router = APIRouter()
NAV = [(20, "campaigns", "Campaigns", "/campaigns")]


def _split(value: str, sep: str = ",") -> list[str]:
    return [v.strip() for v in value.split(sep) if v.strip()]


def _campaign(db: DbSession, workspace: Workspace, campaign_id: int) -> Campaign:
    try:
        return service.get_campaign(db, campaign_id=campaign_id, workspace_id=workspace.id)
    except service.CampaignNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "campaign not found") from None


@router.get("/w/{slug}/campaigns")
def campaigns(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    return render(
        request,
        "campaign/list.html",
        principal=principal,
        campaigns=service.list_campaigns(db, workspace_id=workspace.id),
        channels=list_for_workspace(db, workspace_id=workspace.id),
        members=members_of(db, workspace.id),
        **page_context(db, principal, workspace, "campaigns"),
    )


@router.post("/w/{slug}/campaigns", dependencies=[CsrfChecked])
def create(
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    name: str = Form(..., min_length=1, max_length=200),
    objective: str = Form(""),
    owner_id: str = Form(""),
    disputable: str = Form(""),
    channel_ids: list[int] = Form([]),
    hashtags: str = Form(""),
    links: str = Form(""),
    keywords: str = Form(""),
    ends_at: str = Form(""),
) -> Response:
    try:
        body = CampaignCreate(
            name=name,
            objective=objective,
            owner_id=int(owner_id) if owner_id.isdigit() else None,
            disputable=bool(disputable),
            channel_ids=channel_ids,
            hashtags=_split(hashtags),
            links=_split(links),
            keywords=_split(keywords),
            ends_at=parse_moment(ends_at, "ends_at"),
        )
        campaign = service.create_campaign(db, workspace_id=workspace.id, campaign_in=body)
    except ValueError as exc:  # a bad date, another workspace's channel or person
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"campaign not created: {exc}") from None
    record(
        db,
        workspace_id=workspace.id,
        actor_id=principal.user.id,
        action="campaign.create",
        target_type="campaign",
        target_id=campaign.id,
    )
    return RedirectResponse(f"/w/{workspace.slug}/campaigns/{campaign.id}", status_code=303)


def _detail(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: Workspace,
    campaign: Campaign,
    *,
    error: str | None = None,
    missing: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    now = utcnow()
    members = members_of(db, workspace.id)
    progress = kpi_progress(db, campaign_id=campaign.id, now=now)
    alerts = list(
        db.scalars(
            select(CampaignAlert)
            .where(CampaignAlert.campaign_id == campaign.id)
            .order_by(CampaignAlert.created_at.desc())
            .limit(50)
        )
    )
    charts = {
        f"kpi-{p.kpi_id}": {
            "labels": [pt.at.date().isoformat() for pt in p.points],
            "value": [pt.value for pt in p.points],
            "expected": [pt.expected for pt in p.points],
            "target": p.target,
        }
        for p in progress
    }
    return render(
        request,
        "campaign/detail.html",
        principal=principal,
        campaign=campaign,
        kpis=service.list_kpis(db, campaign_id=campaign.id),
        progress=progress,
        charts=charts,
        scenarios=service.list_scenarios(db, campaign_id=campaign.id),
        alerts=alerts,
        missing=missing if missing is not None else launch_requirements(db, campaign=campaign, now=now),
        members=members,
        member_names={m.id: m.name for m in members},
        metrics=list(MetricKind),
        directions=list(KpiDirection),
        error=error,
        status_code=status_code,
        **page_context(db, principal, workspace, "campaigns"),
    )


@router.get("/w/{slug}/campaigns/{campaign_id}")
def campaign_page(
    request: Request, campaign_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    return _detail(request, db, principal, workspace, _campaign(db, workspace, campaign_id))


@router.post("/w/{slug}/campaigns/{campaign_id}/kpis", dependencies=[CsrfChecked])
def add_kpi(
    campaign_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    name: str = Form(..., min_length=1),
    metric: MetricKind = Form(...),
    target: float | None = Form(None),
    direction: KpiDirection = Form(KpiDirection.up),
    horizon_days: int | None = Form(None),
) -> Response:
    campaign = _campaign(db, workspace, campaign_id)
    service.add_kpi(
        db,
        campaign_id=campaign.id,
        kpi_in=KpiCreate(
            name=name, metric=metric, target=target, direction=direction, horizon_days=horizon_days
        ),
    )
    return RedirectResponse(f"/w/{workspace.slug}/campaigns/{campaign.id}#kpis", status_code=303)


@router.post("/w/{slug}/campaigns/{campaign_id}/scenarios", dependencies=[CsrfChecked])
def add_scenario(
    campaign_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    title: str = Form(..., min_length=1, max_length=200),
    what_happens: str = Form(""),
    trigger_keywords: str = Form(""),
    example_messages: str = Form(""),
    responder_id: str = Form(""),
    reaction: str = Form(""),
) -> Response:
    campaign = _campaign(db, workspace, campaign_id)
    try:
        service.add_scenario(
            db,
            campaign_id=campaign.id,
            scenario_in=ScenarioCreate(
                title=title,
                what_happens=what_happens,
                trigger_keywords=_split(trigger_keywords),
                example_messages=_split(example_messages, "\n"),
                responder_id=int(responder_id) if responder_id.isdigit() else None,
                reaction=reaction,
            ),
        )
    except ForeignId as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    return RedirectResponse(f"/w/{workspace.slug}/campaigns/{campaign.id}#scenarios", status_code=303)


@router.post("/w/{slug}/campaigns/{campaign_id}/launch", dependencies=[CsrfChecked])
def launch(
    request: Request, campaign_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    campaign = _campaign(db, workspace, campaign_id)
    try:
        launch_campaign(db, campaign_id=campaign.id, actor=principal.user, now=utcnow())
    except LaunchRefused as exc:
        db.rollback()
        return _detail(
            request,
            db,
            principal,
            workspace,
            campaign,
            error="Not launched: the plan is incomplete.",
            missing=exc.missing,
            status_code=409,
        )
    return RedirectResponse(f"/w/{workspace.slug}/campaigns/{campaign.id}", status_code=303)
