"""Posts API: draft, edit, submit for approval, approve, send back, and the calendar."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from tending.auth.deps import CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession
from tending.moments import Moment
from tending.publishing import service
from tending.publishing.models import Post, PostCreate, PostRead, PostUpdate, ReviewRequest
from tending.workspace.scope import ForeignId

router = APIRouter(tags=["publishing"])


def _post(db: DbSession, workspace_id: int, post_id: int) -> Post:
    post = db.get(Post, post_id)
    if post is None or post.workspace_id != workspace_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "post not found")
    return post


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Post:
    try:
        return fn(*args, **kwargs)
    except service.PublishingError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except ForeignId as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None


@router.get("/workspaces/{workspace_id}/posts", response_model=list[PostRead])
def list_posts(workspace: CurrentWorkspace, db: DbSession, start: Moment, end: Moment) -> list[PostRead]:
    """The calendar: posts scheduled or published in [start, end)."""
    rows = service.calendar(db, workspace_id=workspace.id, start=start, end=end)
    return [PostRead.model_validate(p) for p in rows]


@router.post(
    "/workspaces/{workspace_id}/posts", response_model=PostRead, status_code=201, dependencies=[CsrfChecked]
)
def create_post(
    workspace: CurrentWorkspace, body: PostCreate, db: DbSession, principal: CurrentPrincipal
) -> PostRead:
    post = _guard(service.create_draft, db, workspace_id=workspace.id, author=principal.user, post_in=body)
    return PostRead.model_validate(post)


@router.patch(
    "/workspaces/{workspace_id}/posts/{post_id}", response_model=PostRead, dependencies=[CsrfChecked]
)
def edit_post(
    workspace: CurrentWorkspace, post_id: int, body: PostUpdate, db: DbSession, principal: CurrentPrincipal
) -> PostRead:
    post = _post(db, workspace.id, post_id)
    _guard(service.edit, db, post=post, actor=principal.user, text=body.text, scheduled_at=body.scheduled_at)
    return PostRead.model_validate(post)


@router.post(
    "/workspaces/{workspace_id}/posts/{post_id}/submit", response_model=PostRead, dependencies=[CsrfChecked]
)
def submit_post(
    workspace: CurrentWorkspace, post_id: int, db: DbSession, principal: CurrentPrincipal
) -> PostRead:
    post = _post(db, workspace.id, post_id)
    _guard(service.submit, db, post=post, actor=principal.user)
    return PostRead.model_validate(post)


@router.post(
    "/workspaces/{workspace_id}/posts/{post_id}/approve", response_model=PostRead, dependencies=[CsrfChecked]
)
def approve_post(
    workspace: CurrentWorkspace, post_id: int, db: DbSession, principal: CurrentPrincipal
) -> PostRead:
    post = _post(db, workspace.id, post_id)
    try:
        service.approve(db, post=post, approver=principal.user)
    except service.PublishingError as exc:
        code = (
            status.HTTP_403_FORBIDDEN if not service.can_approve(principal.user) else status.HTTP_409_CONFLICT
        )
        raise HTTPException(code, str(exc)) from None
    return PostRead.model_validate(post)


@router.post(
    "/workspaces/{workspace_id}/posts/{post_id}/send-back",
    response_model=PostRead,
    dependencies=[CsrfChecked],
)
def send_back_post(
    workspace: CurrentWorkspace, post_id: int, body: ReviewRequest, db: DbSession, principal: CurrentPrincipal
) -> PostRead:
    post = _post(db, workspace.id, post_id)
    try:
        service.send_back(db, post=post, approver=principal.user, comment=body.comment)
    except service.PublishingError as exc:
        code = (
            status.HTTP_403_FORBIDDEN if not service.can_approve(principal.user) else status.HTTP_409_CONFLICT
        )
        raise HTTPException(code, str(exc)) from None
    return PostRead.model_validate(post)
