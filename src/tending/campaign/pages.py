"""Campaign pages: the list, a new campaign, and a campaign's plan, KPIs, worst cases and alerts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.campaign import service
from tending.campaign.kpi import kpi_progress
from tending.campaign.launch import LaunchRefused, launch_campaign, launch_requirements
from tending.campaign.models import (
    Campaign,
    CampaignAlert,
    CampaignCreate,
    CampaignUpdate,
    KpiCreate,
    KpiDirection,
    MetricKind,
    ScenarioCreate,
)
from tending.channel.service import list_for_workspace
from tending.database.core import DbSession, utcnow
from tending.settings.edit import from_form
from tending.templating import render
from tending.workspace.models import Workspace
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.service import members_of

router = APIRouter()
NAV = [(20, "campaigns", "Campaigns", "/campaigns")]


def _split(value: str, sep: str = ",") -> list[str]:
    return [v.strip() for v in value.split(sep) if v.strip()]


def _campaign(db: DbSession, workspace: Workspace, campaign_id: int) -> Campaign:
    return service.get_campaign(db, campaign_id=campaign_id, workspace_id=workspace.id)


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


def campaign_form(
    name: str = Form(""),
    objective: str = Form(""),
    owner_id: str = Form(""),
    disputable: str = Form(""),
    channel_ids: list[str] = Form([]),
    hashtags: str = Form(""),
    links: str = Form(""),
    keywords: str = Form(""),
    ends_at: str = Form(""),
) -> CampaignCreate:
    """The plan form (new campaign and draft edit) as a plan; anything malformed answers 400."""
    data: dict[str, Any] = {
        "name": name.strip(),
        "objective": objective.strip(),
        "owner_id": owner_id.strip() or None,
        "disputable": bool(disputable),
        "channel_ids": channel_ids,
        "hashtags": _split(hashtags),
        "links": _split(links),
        "keywords": _split(keywords),
        "ends_at": ends_at.strip() or None,
    }
    return from_form(CampaignCreate, data)


# Declared after the principal and workspace in each route, so those are checked first.
CampaignForm = Annotated[CampaignCreate, Depends(campaign_form)]


@router.post("/w/{slug}/campaigns", dependencies=[CsrfChecked])
def create(
    db: DbSession, principal: PagePrincipal, workspace: PageWorkspace, campaign_in: CampaignForm
) -> Response:
    campaign = service.create_campaign(
        db, workspace_id=workspace.id, campaign_in=campaign_in, actor_id=principal.user.id
    )
    return RedirectResponse(f"/w/{workspace.slug}/campaigns/{campaign.id}", status_code=303)


@router.post("/w/{slug}/campaigns/{campaign_id}/edit", dependencies=[CsrfChecked])
def edit(
    campaign_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    campaign_in: CampaignForm,
) -> Response:
    """The whole plan form, saved over the draft (refused once launched)."""
    campaign = _campaign(db, workspace, campaign_id)
    service.update_campaign(
        db,
        campaign=campaign,
        campaign_in=CampaignUpdate.model_validate(campaign_in.model_dump(exclude={"starts_at"})),
        actor_id=principal.user.id,
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
        channels=list_for_workspace(db, workspace_id=workspace.id),
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


def kpi_form(
    name: str = Form(""),
    metric: str = Form(""),
    target: str = Form(""),
    direction: str = Form(KpiDirection.up.value),
    horizon_days: str = Form(""),
) -> KpiCreate:
    data = {
        "name": name.strip(),
        "metric": metric,
        "target": target.strip() or None,
        "direction": direction,
        "horizon_days": horizon_days.strip() or None,
    }
    return from_form(KpiCreate, data)


KpiForm = Annotated[KpiCreate, Depends(kpi_form)]


@router.post("/w/{slug}/campaigns/{campaign_id}/kpis", dependencies=[CsrfChecked])
def add_kpi(
    campaign_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace, kpi_in: KpiForm
) -> Response:
    campaign = _campaign(db, workspace, campaign_id)
    service.add_kpi(db, campaign_id=campaign.id, kpi_in=kpi_in)
    return RedirectResponse(f"/w/{workspace.slug}/campaigns/{campaign.id}#kpis", status_code=303)


@router.post("/w/{slug}/campaigns/{campaign_id}/kpis/{kpi_id}", dependencies=[CsrfChecked])
def edit_kpi(
    campaign_id: int,
    kpi_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    kpi_in: KpiForm,
) -> Response:
    campaign = _campaign(db, workspace, campaign_id)
    kpi = service.get_kpi(db, campaign=campaign, kpi_id=kpi_id)
    service.update_kpi(db, campaign=campaign, kpi=kpi, kpi_in=kpi_in, actor_id=principal.user.id)
    return RedirectResponse(f"/w/{workspace.slug}/campaigns/{campaign.id}#kpis", status_code=303)


@router.post("/w/{slug}/campaigns/{campaign_id}/kpis/{kpi_id}/delete", dependencies=[CsrfChecked])
def delete_kpi(
    campaign_id: int, kpi_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    campaign = _campaign(db, workspace, campaign_id)
    kpi = service.get_kpi(db, campaign=campaign, kpi_id=kpi_id)
    service.delete_kpi(db, campaign=campaign, kpi=kpi, actor_id=principal.user.id)
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
