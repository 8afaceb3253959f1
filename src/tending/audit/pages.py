"""The audit log page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tending.audit.service import list_entries
from tending.auth.deps import PagePrincipal
from tending.database.core import DbSession
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.service import members_of

router = APIRouter()


@router.get("/w/{slug}/audit")
def audit_page(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    members = members_of(db, workspace.id)
    return render(
        request,
        "audit/list.html",
        principal=principal,
        entries=list_entries(db, workspace_id=workspace.id, limit=500),
        member_names={m.id: m.name for m in members},
        **page_context(db, principal, workspace, "audit"),
    )
