"""The content calendar (week and month views) and the approval queue."""

from __future__ import annotations

import calendar as cal
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.channel.service import list_for_workspace
from tending.database.core import DbSession
from tending.moments import MomentError, parse_moment
from tending.publishing import service
from tending.publishing.models import Post, PostCreate, PostStatus
from tending.templating import render
from tending.workspace.models import Workspace
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.scope import ForeignId
from tending.workspace.service import members_of

router = APIRouter()
NAV = [(30, "calendar", "Calendar", "/calendar")]


def _post(db: DbSession, workspace: Workspace, post_id: int) -> Post:
    post = db.get(Post, post_id)
    if post is None or post.workspace_id != workspace.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "post not found")
    return post


def _parse_day(value: str | None, today: date) -> date:
    try:
        return date.fromisoformat(value) if value else today
    except ValueError:
        return today


def _grid(view: str, anchor: date) -> tuple[date, date, list[list[date]]]:
    if view == "month":
        first = anchor.replace(day=1)
        weeks = cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        return weeks[0][0], weeks[-1][-1] + timedelta(days=1), weeks
    start = anchor - timedelta(days=anchor.weekday())
    return start, start + timedelta(days=7), [[start + timedelta(days=i) for i in range(7)]]


@router.get("/w/{slug}/calendar")
def calendar_page(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    tz = ZoneInfo(workspace.timezone)
    view = "month" if request.query_params.get("view") == "month" else "week"
    anchor = _parse_day(request.query_params.get("day"), datetime.now(tz).date())
    start, end, weeks = _grid(view, anchor)
    start_at = datetime.combine(start, time(), tz).astimezone(UTC)
    end_at = datetime.combine(end, time(), tz).astimezone(UTC)
    posts = service.calendar(db, workspace_id=workspace.id, start=start_at, end=end_at)
    by_day: dict[date, list[Post]] = {}
    for p in posts:
        when = p.published_at or p.scheduled_at
        if when is not None:
            by_day.setdefault(when.astimezone(tz).date(), []).append(p)
    pending = list(
        db.scalars(
            select(Post)
            .where(
                Post.workspace_id == workspace.id,
                Post.status.in_(
                    [
                        PostStatus.pending_approval.value,
                        PostStatus.changes_requested.value,
                        PostStatus.draft.value,
                        PostStatus.failed.value,
                        PostStatus.needs_check.value,
                    ]
                ),
            )
            .order_by(Post.created_at.desc())
            .limit(100)
        )
    )
    channels = list_for_workspace(db, workspace_id=workspace.id)
    step = timedelta(days=31 if view == "month" else 7)
    members = members_of(db, workspace.id)
    context: dict[str, Any] = {
        "view": view,
        "weeks": weeks,
        "by_day": by_day,
        "anchor": anchor,
        "tz": tz,
        "prev_day": (anchor - step).isoformat(),
        "next_day": (anchor + step).isoformat(),
        "pending": pending,
        "channels": channels,
        "channel_names": {c.id: c.name for c in channels},
        "member_names": {m.id: m.name for m in members},
        "can_approve": service.can_approve(principal.user),
        "today": datetime.now(tz).date(),
    }
    return render(
        request,
        "publishing/calendar.html",
        principal=principal,
        **context,
        **page_context(db, principal, workspace, "calendar"),
    )


@router.post("/w/{slug}/calendar/posts", dependencies=[CsrfChecked])
def new_post(
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    channel_id: int = Form(...),
    text: str = Form(..., min_length=1, max_length=10000),
    scheduled_at: str = Form(""),
    submit: str = Form(""),
) -> Response:
    try:
        when = parse_moment(scheduled_at, "scheduled_at", ZoneInfo(workspace.timezone))
        post = service.create_draft(
            db,
            workspace_id=workspace.id,
            author=principal.user,
            post_in=PostCreate(channel_id=channel_id, text=text, scheduled_at=when),
        )
        if submit:
            service.submit(db, post=post, actor=principal.user)
    except (service.PublishingError, MomentError, ForeignId) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    return RedirectResponse(f"/w/{workspace.slug}/calendar", status_code=303)


@router.post("/w/{slug}/calendar/posts/{post_id}/{action}", dependencies=[CsrfChecked])
def review(
    post_id: int,
    action: str,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    comment: str = Form(""),
) -> Response:
    post = _post(db, workspace, post_id)
    try:
        if action == "approve":
            service.approve(db, post=post, approver=principal.user)
        elif action == "send-back":
            service.send_back(db, post=post, approver=principal.user, comment=comment)
        elif action == "submit":
            service.submit(db, post=post, actor=principal.user)
        else:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown action")
    except service.PublishingError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return RedirectResponse(f"/w/{workspace.slug}/calendar", status_code=303)
