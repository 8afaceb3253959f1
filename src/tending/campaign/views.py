"""Campaigns over the API: plan with goals and worst cases, launch (refused until complete), follow KPIs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Request, UploadFile, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from tending.audit.service import record
from tending.auth.deps import CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.campaign import service
from tending.campaign.kpi import kpi_progress
from tending.campaign.launch import launch_campaign, launch_requirements
from tending.campaign.models import (
    AlertRead,
    Campaign,
    CampaignAlert,
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    Kpi,
    KpiCreate,
    ScenarioCreate,
)
from tending.campaign.outcomes import import_outcomes
from tending.campaign.risk import backlash_risk
from tending.database.core import DbSession, utcnow
from tending.inputfiles import decode_text
from tending.moments import Moment

router = APIRouter(tags=["campaigns"])


class CampaignDetail(CampaignRead):
    channel_ids: list[int]
    kpis: list[dict[str, Any]]
    scenarios: list[dict[str, Any]]
    launch_missing: list[str]


class KpiValue(BaseModel):
    at: Moment
    value: float
    note: str = Field(default="", max_length=500)


class RiskRequest(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


def _campaign(db: DbSession, workspace_id: int, campaign_id: int) -> Campaign:
    return service.get_campaign(db, campaign_id=campaign_id, workspace_id=workspace_id)


def detail(db: DbSession, campaign: Campaign) -> CampaignDetail:
    base = CampaignRead.model_validate(campaign).model_dump()
    return CampaignDetail(
        **base,
        channel_ids=[c.id for c in campaign.channels],
        kpis=[
            {
                "id": k.id,
                "name": k.name,
                "metric": k.metric,
                "target": k.target,
                "direction": k.direction,
                "horizon_days": k.horizon_days,
                "baseline": k.baseline,
            }
            for k in service.list_kpis(db, campaign_id=campaign.id)
        ],
        scenarios=[
            {
                "id": s.id,
                "title": s.title,
                "what_happens": s.what_happens,
                "trigger_keywords": s.trigger_keywords,
                "example_messages": s.example_messages,
                "responder_id": s.responder_id,
                "reaction": s.reaction,
                "missing": s.missing(),
            }
            for s in service.list_scenarios(db, campaign_id=campaign.id)
        ],
        launch_missing=launch_requirements(db, campaign=campaign, now=utcnow()),
    )


@router.get("/workspaces/{workspace_id}/campaigns", response_model=list[CampaignRead])
def list_campaigns(workspace: CurrentWorkspace, db: DbSession) -> list[CampaignRead]:
    return [CampaignRead.model_validate(c) for c in service.list_campaigns(db, workspace_id=workspace.id)]


@router.post(
    "/workspaces/{workspace_id}/campaigns",
    response_model=CampaignDetail,
    status_code=201,
    dependencies=[CsrfChecked],
)
def create(
    workspace: CurrentWorkspace, body: CampaignCreate, db: DbSession, principal: CurrentPrincipal
) -> CampaignDetail:
    campaign = service.create_campaign(
        db, workspace_id=workspace.id, campaign_in=body, actor_id=principal.user.id
    )
    return detail(db, campaign)


@router.patch(
    "/workspaces/{workspace_id}/campaigns/{campaign_id}",
    response_model=CampaignDetail,
    dependencies=[CsrfChecked],
)
def update(
    workspace: CurrentWorkspace,
    campaign_id: int,
    body: CampaignUpdate,
    db: DbSession,
    principal: CurrentPrincipal,
) -> CampaignDetail:
    """Change a draft's plan (only the fields sent); 409 once the campaign has launched."""
    campaign = _campaign(db, workspace.id, campaign_id)
    service.update_campaign(db, campaign=campaign, campaign_in=body, actor_id=principal.user.id)
    return detail(db, campaign)


@router.get("/workspaces/{workspace_id}/campaigns/{campaign_id}", response_model=CampaignDetail)
def read(workspace: CurrentWorkspace, campaign_id: int, db: DbSession) -> CampaignDetail:
    return detail(db, _campaign(db, workspace.id, campaign_id))


@router.post(
    "/workspaces/{workspace_id}/campaigns/{campaign_id}/kpis",
    response_model=CampaignDetail,
    status_code=201,
    dependencies=[CsrfChecked],
)
def add_kpi(workspace: CurrentWorkspace, campaign_id: int, body: KpiCreate, db: DbSession) -> CampaignDetail:
    campaign = _campaign(db, workspace.id, campaign_id)
    service.add_kpi(db, campaign_id=campaign.id, kpi_in=body)
    return detail(db, campaign)


@router.put(
    "/workspaces/{workspace_id}/campaigns/{campaign_id}/kpis/{kpi_id}",
    response_model=CampaignDetail,
    dependencies=[CsrfChecked],
)
def update_kpi(
    workspace: CurrentWorkspace,
    campaign_id: int,
    kpi_id: int,
    body: KpiCreate,
    db: DbSession,
    principal: CurrentPrincipal,
) -> CampaignDetail:
    """Rewrite a draft's KPI; 409 once the campaign has launched."""
    campaign = _campaign(db, workspace.id, campaign_id)
    kpi = service.get_kpi(db, campaign=campaign, kpi_id=kpi_id)
    service.update_kpi(db, campaign=campaign, kpi=kpi, kpi_in=body, actor_id=principal.user.id)
    return detail(db, campaign)


@router.delete(
    "/workspaces/{workspace_id}/campaigns/{campaign_id}/kpis/{kpi_id}",
    response_model=CampaignDetail,
    dependencies=[CsrfChecked],
)
def delete_kpi(
    workspace: CurrentWorkspace, campaign_id: int, kpi_id: int, db: DbSession, principal: CurrentPrincipal
) -> CampaignDetail:
    """Drop a draft's KPI; 409 once the campaign has launched."""
    campaign = _campaign(db, workspace.id, campaign_id)
    kpi = service.get_kpi(db, campaign=campaign, kpi_id=kpi_id)
    service.delete_kpi(db, campaign=campaign, kpi=kpi, actor_id=principal.user.id)
    return detail(db, campaign)


@router.post(
    "/workspaces/{workspace_id}/campaigns/{campaign_id}/kpis/{kpi_id}/values",
    dependencies=[CsrfChecked],
    status_code=201,
)
def add_kpi_value(
    workspace: CurrentWorkspace, campaign_id: int, kpi_id: int, body: KpiValue, db: DbSession
) -> dict[str, Any]:
    campaign = _campaign(db, workspace.id, campaign_id)
    kpi = db.get(Kpi, kpi_id)
    if kpi is None or kpi.campaign_id != campaign.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "KPI not found")
    m = service.record_kpi_value(db, kpi_id=kpi.id, at=body.at, value=body.value, note=body.note)
    return {"kpi_id": kpi.id, "at": m.at, "value": m.value}


@router.post(
    "/workspaces/{workspace_id}/campaigns/{campaign_id}/scenarios",
    response_model=CampaignDetail,
    status_code=201,
    dependencies=[CsrfChecked],
)
def add_scenario(
    workspace: CurrentWorkspace, campaign_id: int, body: ScenarioCreate, db: DbSession
) -> CampaignDetail:
    campaign = _campaign(db, workspace.id, campaign_id)
    service.add_scenario(db, campaign_id=campaign.id, scenario_in=body)  # or ForeignId: 400
    return detail(db, campaign)


@router.post(
    "/workspaces/{workspace_id}/campaigns/{campaign_id}/launch",
    response_model=CampaignDetail,
    dependencies=[CsrfChecked],
)
def launch(
    workspace: CurrentWorkspace, campaign_id: int, db: DbSession, principal: CurrentPrincipal
) -> CampaignDetail:
    campaign = _campaign(db, workspace.id, campaign_id)
    launch_campaign(db, campaign_id=campaign.id, actor=principal.user, now=utcnow())  # or LaunchRefused: 409
    return detail(db, campaign)


@router.get("/workspaces/{workspace_id}/campaigns/{campaign_id}/progress")
def progress(workspace: CurrentWorkspace, campaign_id: int, db: DbSession) -> list[dict[str, Any]]:
    campaign = _campaign(db, workspace.id, campaign_id)
    out = []
    for p in kpi_progress(db, campaign_id=campaign.id, now=utcnow()):
        out.append(
            {
                "kpi_id": p.kpi_id,
                "name": p.name,
                "metric": p.metric,
                "target": p.target,
                "status": p.status,
                "latest": p.latest,
                "expected_now": p.expected_now,
                "points": [{"at": pt.at, "value": pt.value, "expected": pt.expected} for pt in p.points],
            }
        )
    return out


@router.get("/workspaces/{workspace_id}/campaigns/{campaign_id}/alerts", response_model=list[AlertRead])
def alerts(workspace: CurrentWorkspace, campaign_id: int, db: DbSession) -> list[AlertRead]:
    campaign = _campaign(db, workspace.id, campaign_id)
    rows = db.scalars(
        select(CampaignAlert)
        .where(CampaignAlert.campaign_id == campaign.id)
        .order_by(CampaignAlert.created_at.desc())
        .limit(200)
    )
    return [AlertRead.model_validate(a) for a in rows]


@router.post("/workspaces/{workspace_id}/backlash-risk", dependencies=[CsrfChecked])
def risk(workspace: CurrentWorkspace, body: RiskRequest, db: DbSession) -> dict[str, Any]:
    """Backlash risk of a draft post, from the brand's own history, with the posts it came from."""
    return backlash_risk(db, workspace_id=workspace.id, text=body.text).as_dict()


@router.post(
    "/workspaces/{workspace_id}/campaigns/{campaign_id}/kpis/{kpi_id}/outcomes",
    dependencies=[CsrfChecked],
    status_code=201,
)
def import_kpi_outcomes(
    workspace: CurrentWorkspace,
    campaign_id: int,
    kpi_id: int,
    file: UploadFile,
    db: DbSession,
    principal: CurrentPrincipal,
    request: Request,
    y: str | None = None,
) -> dict[str, Any]:
    """Upload a CSV outcome series (date, outcome, optional control columns) for a sales/sign-ups KPI."""
    campaign = _campaign(db, workspace.id, campaign_id)
    kpi = db.get(Kpi, kpi_id)
    if kpi is None or kpi.campaign_id != campaign.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "KPI not found")
    data = file.file.read(request.app.state.settings.max_upload_bytes + 1)
    if len(data) > request.app.state.settings.max_upload_bytes:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "file larger than allowed")
    name = file.filename or "upload.csv"
    # or InputFileError / LiftInputError naming the file: 400
    done = import_outcomes(db, kpi=kpi, text=decode_text(data, source=name), y=y, source=name)
    record(
        db,
        workspace_id=workspace.id,
        actor_id=principal.user.id,
        action="campaign.outcomes_imported",
        target_type="campaign",
        target_id=campaign.id,
        detail={"kpi_id": kpi.id, "file": name, "rows": done.rows, "controls": done.controls},
    )
    return asdict(done)
