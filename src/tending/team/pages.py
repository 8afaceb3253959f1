"""The team: who works this workspace, their expertise and hours, and the fallback owner."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from tending.audit.service import record
from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.auth.models import Role, User
from tending.database.core import DbSession, utcnow
from tending.routing.rules import set_fallback_owner
from tending.routing.service import is_available
from tending.settings.edit import SettingRefused
from tending.templating import render
from tending.workspace.pages import PageWorkspace, members_of, page_context

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
    if principal.user.role != Role.admin.value:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only admins choose the fallback owner")
    try:
        set_fallback_owner(db, workspace=workspace, user_id=user_id, actor_id=principal.user.id)
    except SettingRefused as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
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
    if principal.user.role != Role.admin.value and principal.user.id != user_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "you may edit only your own profile")
    user = db.get(User, user_id)
    if user is None or user_id not in {m.id for m in members_of(db, workspace.id)}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not on this workspace")
    try:
        ZoneInfo(timezone)
        user.working_hours = parse_hours(hours)
    except (KeyError, ValueError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"not saved: {exc}") from None
    user.timezone = timezone
    user.expertise = [e.strip().lower() for e in expertise.split(",") if e.strip()]
    record(
        db,
        workspace_id=workspace.id,
        actor_id=principal.user.id,
        action="user.edit",
        target_type="user",
        target_id=user.id,
        detail={"expertise": user.expertise, "timezone": timezone},
    )
    return RedirectResponse(f"/w/{workspace.slug}/team", status_code=303)


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_hours(text: str) -> dict[str, list[list[str]]]:
    """`mon-fri 09:00-17:00; sat 10:00-14:00` → the working-hours map; empty means always available."""
    out: dict[str, list[list[str]]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days, _, span = part.partition(" ")
        start, _, end = span.strip().partition("-")
        for t in (start, end):
            datetime.strptime(t, "%H:%M")
        if "-" in days:
            a, b = days.split("-")
            names = DAYS[DAYS.index(a) : DAYS.index(b) + 1]
        else:
            names = tuple(d for d in days.split(",") if d)
        for d in names:
            if d not in DAYS:
                raise ValueError(f"unknown day {d!r}")
            out.setdefault(d, []).append([start, end])
    return out


def format_hours(hours: dict[str, list[list[str]]]) -> str:
    return "; ".join(f"{d} {a}-{b}" for d in DAYS for a, b in hours.get(d, []))
