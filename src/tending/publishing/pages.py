"""The content calendar (week and month views) and the approval queue."""

from __future__ import annotations

import calendar as cal
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.cadence.service import channel_health
from tending.channel.service import list_for_workspace
from tending.database.core import DbSession, utcnow
from tending.errors import NotFound
from tending.moments import parse_moment
from tending.publishing import service
from tending.publishing.models import Post, PostCreate, PostStatus
from tending.templating import render
from tending.workspace.models import Workspace
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.service import members_of

router = APIRouter()
NAV = [(30, "calendar", "Calendar", "/calendar")]


@dataclass(frozen=True)
class CalendarItem:
    """One entry of a calendar day: a post planned or published through tending, or one the brand
    published on the network directly (known from ingestion)."""

    at: datetime
    channel_id: int
    text: str
    status: str
    post: Post | None = None
    url: str | None = None


def _when(value: str, workspace: Workspace) -> datetime | None:
    """A `datetime-local` form value, in the workspace's time zone; malformed or out of range answers 400."""
    return parse_moment(value, "scheduled_at", ZoneInfo(workspace.timezone))


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
    channels = list_for_workspace(db, workspace_id=workspace.id)
    items = [
        CalendarItem(when, p.channel_id, p.text, p.status, post=p, url=p.url)
        for p in service.calendar(db, workspace_id=workspace.id, start=start_at, end=end_at)
        if (when := p.published_at or p.scheduled_at) is not None
    ]
    items += [
        CalendarItem(m.created_at, m.channel_id, m.text, PostStatus.published.value, url=m.url)
        for m in service.published_elsewhere(
            db, workspace_id=workspace.id, channel_ids=[c.id for c in channels], start=start_at, end=end_at
        )
    ]
    by_day: dict[date, list[CalendarItem]] = {}
    for item in sorted(items, key=lambda i: i.at):
        by_day.setdefault(item.at.astimezone(tz).date(), []).append(item)
    now = utcnow()
    upcoming = list(
        db.scalars(
            select(Post)
            .where(Post.workspace_id == workspace.id, Post.status == PostStatus.scheduled.value)
            .order_by(Post.scheduled_at)
            .limit(100)
        )
    )
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
        "upcoming": upcoming,
        "health": channel_health(db, workspace_id=workspace.id, now=now),
        "now": now,
        "channels": channels,
        "channel_names": {c.id: c.name for c in channels},
        "member_names": {m.id: m.name for m in members},
        "can_approve": service.can_approve(principal.user),
        "today": datetime.now(tz).date(),
        "first_length": (
            service.measure_draft(db, workspace_id=workspace.id, channel_id=channels[0].id, text="")
            if channels
            else None
        ),
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
    post = service.create_draft(
        db,
        workspace_id=workspace.id,
        author=principal.user,
        post_in=PostCreate(channel_id=channel_id, text=text, scheduled_at=_when(scheduled_at, workspace)),
    )
    if submit:
        service.submit(db, post=post, actor=principal.user)
    return RedirectResponse(f"/w/{workspace.slug}/calendar", status_code=303)


@router.post("/w/{slug}/calendar/length", dependencies=[CsrfChecked])
def draft_length(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    channel_id: int = Form(...),
    text: str = Form("", max_length=100000),
) -> Response:
    """The compose form's length notice, refreshed as the text or the channel changes."""
    length = service.measure_draft(db, workspace_id=workspace.id, channel_id=channel_id, text=text)
    return render(request, "publishing/_length.html", principal=principal, length=length)


@router.post("/w/{slug}/calendar/posts/{post_id}/edit", dependencies=[CsrfChecked])
def edit_post(
    post_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    text: str = Form(..., min_length=1, max_length=10000),
    scheduled_at: str = Form(""),
) -> Response:
    post = service.get_post(db, workspace_id=workspace.id, post_id=post_id)
    service.edit(db, post=post, actor=principal.user, text=text, scheduled_at=_when(scheduled_at, workspace))
    return RedirectResponse(f"/w/{workspace.slug}/calendar#post-{post.id}", status_code=303)


@router.post("/w/{slug}/calendar/posts/{post_id}/{action}", dependencies=[CsrfChecked])
def review(
    post_id: int,
    action: str,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    comment: str = Form(""),
) -> Response:
    post = service.get_post(db, workspace_id=workspace.id, post_id=post_id)
    if action == "approve":
        service.approve(db, post=post, approver=principal.user)
    elif action == "send-back":
        service.send_back(db, post=post, approver=principal.user, comment=comment)
    elif action == "submit":
        service.submit(db, post=post, actor=principal.user)
    elif action == "cancel":
        service.cancel(db, post=post, actor=principal.user)
    else:
        raise NotFound("unknown action")
    return RedirectResponse(f"/w/{workspace.slug}/calendar", status_code=303)
