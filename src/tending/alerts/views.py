"""The alerts inbox over the API: incidents, their evidence, acknowledge and resolve."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tending.alerts import service
from tending.alerts.deps import CurrentIncident
from tending.alerts.models import IncidentAction, IncidentKind, IncidentPage, IncidentRead, IncidentState
from tending.auth.deps import CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession, utcnow

router = APIRouter(tags=["alerts"])


class ResolveBody(BaseModel):
    note: str = Field(default="", max_length=500)


@router.get("/workspaces/{workspace_id}/alerts", response_model=IncidentPage)
def list_alerts(
    workspace: CurrentWorkspace,
    db: DbSession,
    state: IncidentState | None = None,
    kind: IncidentKind | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> IncidentPage:
    rows, total = service.list_incidents(
        db, workspace_id=workspace.id, states=(state,) if state else (), kind=kind, limit=limit, offset=offset
    )
    counts = service.count_by_state(db, workspace_id=workspace.id)
    return IncidentPage(
        items=[IncidentRead.model_validate(r) for r in rows], total=total, open=counts[IncidentState.open]
    )


@router.get("/workspaces/{workspace_id}/alerts/{incident_id}", response_model=IncidentRead)
def get_alert(incident: CurrentIncident) -> IncidentRead:
    return IncidentRead.model_validate(incident)


@router.post(
    "/workspaces/{workspace_id}/alerts/{incident_id}/{action}",
    response_model=IncidentRead,
    dependencies=[CsrfChecked],
)
def act_on_alert(
    action: IncidentAction,
    incident: CurrentIncident,
    db: DbSession,
    principal: CurrentPrincipal,
    body: ResolveBody | None = None,
) -> IncidentRead:
    """`acknowledge` or `resolve` (with an optional note); 409 when the incident is past that state."""
    service.act(  # or IncidentStateError: 409
        db,
        incident=incident,
        action=action,
        actor=principal.user,
        now=utcnow(),
        note=body.note if body else "",
    )
    return IncidentRead.model_validate(incident)
