"""The team: who works this workspace, their expertise and hours, and the fallback owner."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.auth.roles import Role
from tending.database.core import DbSession, utcnow
from tending.routing.rules import set_fallback_owner
from tending.routing.service import is_available
from tending.settings.edit import ADMIN_ONLY, require_writer
from tending.sla.business_hours import format_hours
from tending.team.service import edit_profile
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.service import members_of

router = APIRouter()
NAV = [(60, "team", "Team", "/team")]


@router.get("/w/{slug}/team")
def team_page(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    now = utcnow()
    members = members_of(db, workspace.id)
    rows = [
        {
            "user": m,
            "available": is_available(m, now),
            "local_time": now.astimezone(ZoneInfo(m.timezone)).strftime("%a %H:%M"),
        }
        for m in members
    ]
    return render(
        request,
        "team/list.html",
        principal=principal,
        format_hours=format_hours,
        rows=rows,
        can_manage=principal.user.role == Role.admin.value,
        **page_context(db, principal, workspace, "team"),
    )


@router.post("/w/{slug}/team/fallback", dependencies=[CsrfChecked])
def set_fallback(
    db: DbSession, principal: PagePrincipal, workspace: PageWorkspace, user_id: int = Form(...)
) -> Response:
    require_writer(principal, ADMIN_ONLY, "the fallback owner")
    set_fallback_owner(db, workspace=workspace, user_id=user_id, actor_id=principal.user.id)
    return RedirectResponse(f"/w/{workspace.slug}/team", status_code=303)


@router.post("/w/{slug}/team/{user_id}", dependencies=[CsrfChecked])
def edit_member(
    user_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    expertise: str = Form(""),
    timezone: str = Form("UTC"),
    hours: str = Form(""),
) -> Response:
    edit_profile(
        db,
        workspace=workspace,
        user_id=user_id,
        actor=principal.user,
        expertise=expertise,
        timezone=timezone,
        hours=hours,
    )
    return RedirectResponse(f"/w/{workspace.slug}/team", status_code=303)
