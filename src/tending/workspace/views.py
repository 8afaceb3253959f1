"""Workspaces the caller may see."""

from __future__ import annotations

from fastapi import APIRouter

from tending.auth.deps import CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession
from tending.workspace.models import WorkspaceRead
from tending.workspace.service import visible_to

router = APIRouter(tags=["workspaces"])


@router.get("/workspaces", response_model=list[WorkspaceRead])
def list_workspaces(db: DbSession, principal: CurrentPrincipal) -> list[WorkspaceRead]:
    rows = visible_to(db, user=principal.user, only_id=principal.token_workspace_id)
    return [WorkspaceRead.model_validate(w) for w in rows]


@router.get("/workspaces/{workspace_id}", response_model=WorkspaceRead)
def read_workspace(workspace: CurrentWorkspace) -> WorkspaceRead:
    return WorkspaceRead.model_validate(workspace)
