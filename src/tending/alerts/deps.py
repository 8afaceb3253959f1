"""The incident named in the path, loaded only within a workspace the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status

from tending.alerts.models import AlertIncident
from tending.alerts.service import get_incident
from tending.auth.deps import CurrentWorkspace
from tending.database.core import DbSession
from tending.workspace.pages import PageWorkspace


def _incident_or_404(db: DbSession, workspace_id: int, incident_id: int) -> AlertIncident:
    incident = get_incident(db, workspace_id=workspace_id, incident_id=incident_id)
    if incident is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "incident not found")
    return incident


def current_incident(incident_id: int, workspace: CurrentWorkspace, db: DbSession) -> AlertIncident:
    return _incident_or_404(db, workspace.id, incident_id)


def page_incident(incident_id: int, workspace: PageWorkspace, db: DbSession) -> AlertIncident:
    return _incident_or_404(db, workspace.id, incident_id)


CurrentIncident = Annotated[AlertIncident, Depends(current_incident)]
PageIncident = Annotated[AlertIncident, Depends(page_incident)]
