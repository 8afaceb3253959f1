"""The audit log of a workspace."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query

from tending.audit.models import AuditRead
from tending.audit.service import AuditFilter, list_entries
from tending.auth.deps import CurrentWorkspace
from tending.database.core import DbSession

router = APIRouter(tags=["audit"])


@router.get("/workspaces/{workspace_id}/audit", response_model=list[AuditRead])
def audit_log(
    workspace: CurrentWorkspace,
    db: DbSession,
    target_type: str | None = None,
    target_id: int | None = None,
    actor_id: int | None = None,
    system_only: bool = False,
    action: str | None = Query(None, description="an action, or its domain for all of them"),
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[AuditRead]:
    """Newest first; page with `offset` (nothing is cut off silently: ask for the next page)."""
    where = AuditFilter(
        actor_id=actor_id,
        system_only=system_only,
        action=action,
        since=since,
        until=until,
        target_type=target_type,
        target_id=target_id,
    )
    rows = list_entries(db, workspace_id=workspace.id, where=where, limit=limit, offset=offset)
    return [AuditRead.model_validate(r) for r in rows]
