"""Workspace resolution for dashboard pages, and the landing redirect."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import RedirectResponse

from tending.auth.deps import PagePrincipal, check_workspace
from tending.database.core import DbSession
from tending.workspace.models import Workspace
from tending.workspace.service import get_by_slug, visible_to

router = APIRouter()


def page_workspace(slug: str, db: DbSession, principal: PagePrincipal) -> Workspace:
    return check_workspace(db, principal, get_by_slug(db, slug=slug))


PageWorkspace = Annotated[Workspace, Depends(page_workspace)]


def page_context(db: DbSession, principal: PagePrincipal, workspace: Workspace, nav: str) -> dict[str, Any]:
    """What every workspace page's layout needs."""
    from tending.navigation import nav_items

    return {
        "workspace": workspace,
        "workspaces": visible_to(db, user=principal.user, only_id=principal.token_workspace_id),
        "nav": nav,
        "nav_items": nav_items(workspace.slug),
    }


@router.get("/")
def home(db: DbSession, principal: PagePrincipal) -> RedirectResponse:
    spaces = visible_to(db, user=principal.user)
    if not spaces:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "you are on no workspace yet")
    return RedirectResponse(f"/w/{spaces[0].slug}", status_code=303)
