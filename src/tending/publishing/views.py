"""Posts API: draft, edit, submit for approval, approve, send back, and the calendar."""

from __future__ import annotations

from fastapi import APIRouter

from tending.auth.deps import CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession
from tending.moments import Moment
from tending.publishing import service
from tending.publishing.models import Post, PostCreate, PostRead, PostUpdate, ReviewRequest

router = APIRouter(tags=["publishing"])


def _post(db: DbSession, workspace_id: int, post_id: int) -> Post:
    return service.get_post(db, workspace_id=workspace_id, post_id=post_id)


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
    post = service.create_draft(db, workspace_id=workspace.id, author=principal.user, post_in=body)
    return PostRead.model_validate(post)


@router.patch(
    "/workspaces/{workspace_id}/posts/{post_id}", response_model=PostRead, dependencies=[CsrfChecked]
)
def edit_post(
    workspace: CurrentWorkspace, post_id: int, body: PostUpdate, db: DbSession, principal: CurrentPrincipal
) -> PostRead:
    post = _post(db, workspace.id, post_id)
    service.edit(db, post=post, actor=principal.user, text=body.text, scheduled_at=body.scheduled_at)
    return PostRead.model_validate(post)


@router.post(
    "/workspaces/{workspace_id}/posts/{post_id}/cancel", response_model=PostRead, dependencies=[CsrfChecked]
)
def cancel_post(
    workspace: CurrentWorkspace, post_id: int, db: DbSession, principal: CurrentPrincipal
) -> PostRead:
    """Call a post off before it goes out (409 once a worker has claimed or published it)."""
    post = _post(db, workspace.id, post_id)
    service.cancel(db, post=post, actor=principal.user)
    return PostRead.model_validate(post)


@router.post(
    "/workspaces/{workspace_id}/posts/{post_id}/submit", response_model=PostRead, dependencies=[CsrfChecked]
)
def submit_post(
    workspace: CurrentWorkspace, post_id: int, db: DbSession, principal: CurrentPrincipal
) -> PostRead:
    post = _post(db, workspace.id, post_id)
    service.submit(db, post=post, actor=principal.user)
    return PostRead.model_validate(post)


@router.post(
    "/workspaces/{workspace_id}/posts/{post_id}/approve", response_model=PostRead, dependencies=[CsrfChecked]
)
def approve_post(
    workspace: CurrentWorkspace, post_id: int, db: DbSession, principal: CurrentPrincipal
) -> PostRead:
    post = _post(db, workspace.id, post_id)
    service.approve(db, post=post, approver=principal.user)
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
    service.send_back(db, post=post, approver=principal.user, comment=body.comment)
    return PostRead.model_validate(post)
