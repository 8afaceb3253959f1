"""The audit log of a workspace."""

from __future__ import annotations

from fastapi import APIRouter, Query

from tending.audit.models import AuditRead
from tending.audit.service import list_entries
from tending.auth.deps import CurrentWorkspace
from tending.database.core import DbSession

router = APIRouter(tags=["audit"])


@router.get("/workspaces/{workspace_id}/audit", response_model=list[AuditRead])
def audit_log(
    workspace: CurrentWorkspace,
    db: DbSession,
    target_type: str | None = None,
    target_id: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[AuditRead]:
    rows = list_entries(
        db, workspace_id=workspace.id, target_type=target_type, target_id=target_id, limit=limit
    )
    return [AuditRead.model_validate(r) for r in rows]
