"""Inbox API: list and filter conversations, read a thread, reply, assign, change status."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tending.auth.deps import BrandPrincipal, CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession, utcnow
from tending.inbox import approval, bulk, posts, queue, saved_views, service
from tending.inbox.bulk import BulkAction
from tending.inbox.models import (
    AssignRequest,
    Conversation,
    ConversationPage,
    ConversationRead,
    ConversationStatus,
    MessageRead,
    PendingReply,
    Priority,
    ReplyCreate,
    StatusChange,
    ThreadRead,
    UrgencyBand,
)
from tending.inbox.queue import QueueFilter

router = APIRouter(tags=["inbox"])


def _conversation(db: DbSession, workspace_id: int, conversation_id: int) -> Conversation:
    conv = service.get_conversation(db, workspace_id=workspace_id, conversation_id=conversation_id)
    if conv is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "conversation not found")
    return conv


@router.get("/workspaces/{workspace_id}/conversations", response_model=ConversationPage)
def list_conversations(
    workspace: CurrentWorkspace,
    db: DbSession,
    status_: ConversationStatus | None = Query(None, alias="status"),
    channel_id: int | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    needs_reply: bool | None = None,
    q: str | None = Query(None, max_length=200),
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> ConversationPage:
    rows, next_cursor = service.list_conversations(
        db,
        workspace_id=workspace.id,
        status=status_.value if status_ else None,
        channel_id=channel_id,
        assignee_id=assignee_id,
        unassigned=unassigned,
        needs_reply=needs_reply,
        q=q,
        cursor=cursor,
        limit=limit,
    )
    return ConversationPage(items=[ConversationRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/workspaces/{workspace_id}/conversations/{conversation_id}", response_model=ThreadRead)
def read_thread(workspace: CurrentWorkspace, conversation_id: int, db: DbSession) -> ThreadRead:
    conv = _conversation(db, workspace.id, conversation_id)
    return ThreadRead(
        conversation=ConversationRead.model_validate(conv),
        messages=service.thread_messages(db, conversation=conv),
    )


class PostItemRead(BaseModel):
    person: str
    conversation: ConversationRead


class PostRead(BaseModel):
    post_key: str
    post: MessageRead | None
    brand_comments: list[MessageRead]
    waiting: int = Field(description="People under the post still waiting for a reply")
    items: list[PostItemRead]


@router.get("/workspaces/{workspace_id}/conversations/{conversation_id}/post", response_model=PostRead)
def post_view(workspace: CurrentWorkspace, conversation_id: int, db: DbSession) -> PostRead:
    """Every person's item under the post this conversation is under (404 for a direct message)."""
    thread = posts.post_thread(db, conversation=_conversation(db, workspace.id, conversation_id))
    if thread is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "a direct-message conversation is under no post")
    return PostRead(
        post_key=thread.post_key,
        post=MessageRead.model_validate(thread.post) if thread.post else None,
        brand_comments=[MessageRead.model_validate(m) for m in thread.brand_comments],
        waiting=len(thread.waiting),
        items=[
            PostItemRead(person=i.person, conversation=ConversationRead.model_validate(i.conversation))
            for i in thread.items
        ],
    )


@router.post(
    "/workspaces/{workspace_id}/conversations/{conversation_id}/reply",
    response_model=MessageRead,
    status_code=201,
    dependencies=[CsrfChecked],
    responses={
        202: {"description": "Sensitive conversation: the reply waits for a brand member's approval."}
    },
)
def reply(
    workspace: CurrentWorkspace,
    conversation_id: int,
    body: ReplyCreate,
    db: DbSession,
    principal: CurrentPrincipal,
    request: Request,
) -> MessageRead:
    conv = _conversation(db, workspace.id, conversation_id)
    if approval.needs_approval(conv, principal.user):
        pending = approval.draft_reply(db, conversation=conv, author=principal.user, text=body.text)
        return JSONResponse(
            {
                "pending_reply_id": pending.id,
                "status": "pending",  # type: ignore[return-value]
                "detail": "sensitive conversation: a brand member approves this reply",
            },
            202,
        )
    msg = service.reply(  # or InboxError 409, ReplyNotSent 502, ReplyCollision 409
        db,
        settings=request.app.state.settings,
        conversation=conv,
        text=body.text,
        actor_id=principal.user.id,
        in_reply_to=body.in_reply_to,
        seen_up_to=body.expected_last_message_id,
    )
    return MessageRead.model_validate(msg)


@router.post(
    "/workspaces/{workspace_id}/conversations/{conversation_id}/assign",
    response_model=ConversationRead,
    dependencies=[CsrfChecked],
)
def assign(
    workspace: CurrentWorkspace,
    conversation_id: int,
    body: AssignRequest,
    db: DbSession,
    principal: CurrentPrincipal,
) -> ConversationRead:
    conv = _conversation(db, workspace.id, conversation_id)
    service.assign(db, conversation=conv, assignee_id=body.assignee_id, actor_id=principal.user.id)
    return ConversationRead.model_validate(conv)


@router.post(
    "/workspaces/{workspace_id}/conversations/{conversation_id}/status",
    response_model=ConversationRead,
    dependencies=[CsrfChecked],
)
def change_status(
    workspace: CurrentWorkspace,
    conversation_id: int,
    body: StatusChange,
    db: DbSession,
    principal: CurrentPrincipal,
) -> ConversationRead:
    conv = _conversation(db, workspace.id, conversation_id)
    service.set_status(db, conversation=conv, status=body.status, actor_id=principal.user.id)
    return ConversationRead.model_validate(conv)


class PriorityChange(BaseModel):
    priority: Priority


class ReviewComment(BaseModel):
    comment: str = Field(default="", max_length=2000)


@router.post(
    "/workspaces/{workspace_id}/conversations/{conversation_id}/priority",
    response_model=ConversationRead,
    dependencies=[CsrfChecked],
)
def change_priority(
    workspace: CurrentWorkspace,
    conversation_id: int,
    body: PriorityChange,
    db: DbSession,
    principal: BrandPrincipal,
) -> ConversationRead:
    """`sensitive` makes agency replies wait for a brand member's approval."""
    conv = _conversation(db, workspace.id, conversation_id)
    service.set_priority(db, conversation=conv, priority=body.priority, actor_id=principal.user.id)
    return ConversationRead.model_validate(conv)


def _pending(db: DbSession, workspace_id: int, pending_id: int) -> PendingReply:
    pending = db.get(PendingReply, pending_id)
    if pending is None or pending.workspace_id != workspace_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "pending reply not found")
    return pending


@router.post(
    "/workspaces/{workspace_id}/pending-replies/{pending_id}/approve",
    response_model=MessageRead,
    dependencies=[CsrfChecked],
)
def approve_pending(
    workspace: CurrentWorkspace, pending_id: int, db: DbSession, principal: CurrentPrincipal, request: Request
) -> MessageRead:
    # InboxError 409; ReplyNotSent 502: nothing was sent, the claim is rolled back with the request
    msg = approval.approve_reply(
        db,
        settings=request.app.state.settings,
        pending=_pending(db, workspace.id, pending_id),
        approver=principal.user,
    )
    return MessageRead.model_validate(msg)


@router.post("/workspaces/{workspace_id}/pending-replies/{pending_id}/send-back", dependencies=[CsrfChecked])
def send_back_pending(
    workspace: CurrentWorkspace,
    pending_id: int,
    body: ReviewComment,
    db: DbSession,
    principal: CurrentPrincipal,
) -> dict[str, str]:
    approval.send_back_reply(  # or InboxError 409
        db, pending=_pending(db, workspace.id, pending_id), approver=principal.user, comment=body.comment
    )
    return {"status": "sent_back"}


class SavedViewCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    filters: dict[str, str] = Field(
        default_factory=dict, description="inbox filters: status, channel_id, assignee (id, 'me', 'none'), q"
    )


class SavedViewRead(BaseModel):
    id: int
    name: str
    filters: dict[str, str]
    query: str


def _view_read(view: saved_views.SavedView) -> SavedViewRead:
    return SavedViewRead(id=view.id, name=view.name, filters=saved_views.filters_of(view), query=view.query)


@router.get("/workspaces/{workspace_id}/saved-views", response_model=list[SavedViewRead])
def list_saved_views(
    workspace: CurrentWorkspace, db: DbSession, principal: CurrentPrincipal
) -> list[SavedViewRead]:
    """The caller's own saved inbox views (each person sees only theirs)."""
    views = saved_views.list_views(db, workspace_id=workspace.id, user_id=principal.user.id)
    return [_view_read(v) for v in views]


@router.post(
    "/workspaces/{workspace_id}/saved-views",
    response_model=SavedViewRead,
    status_code=201,
    dependencies=[CsrfChecked],
)
def save_view(
    workspace: CurrentWorkspace, body: SavedViewCreate, db: DbSession, principal: CurrentPrincipal
) -> SavedViewRead:
    view = saved_views.save_view(  # or SavedViewError 422
        db, workspace_id=workspace.id, user_id=principal.user.id, name=body.name, params=body.filters
    )
    return _view_read(view)


@router.delete(
    "/workspaces/{workspace_id}/saved-views/{view_id}", status_code=204, dependencies=[CsrfChecked]
)
def delete_saved_view(
    workspace: CurrentWorkspace, view_id: int, db: DbSession, principal: CurrentPrincipal
) -> None:
    if not saved_views.delete_view(db, workspace_id=workspace.id, user_id=principal.user.id, view_id=view_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "saved view not found")


class QueueItemRead(BaseModel):
    """One waiting person: their oldest waiting message, how many wait, and when a reply is due."""

    message: MessageRead
    conversation_id: int
    assignee_id: int | None
    author_name: str
    waiting: int
    urgency_band: UrgencyBand
    off_hours: bool
    due_at: datetime | None
    sla_level: str | None


class QueuePageRead(BaseModel):
    items: list[QueueItemRead]
    next_cursor: str | None = None


class BulkRequest(BaseModel):
    action: BulkAction
    message_ids: list[int] = Field(min_length=1, max_length=500)
    assignee_id: int | None = None
    reason: str = Field(default="", max_length=400)


@router.get("/workspaces/{workspace_id}/queue", response_model=QueuePageRead)
def needs_reply_queue(
    workspace: CurrentWorkspace,
    db: DbSession,
    principal: CurrentPrincipal,
    f: list[QueueFilter] = Query(default_factory=list),
    channel_id: int | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> QueuePageRead:
    """The needs-reply queue: each waiting person once, most urgent then longest waiting first."""
    page = queue.needs_reply_queue(
        db,
        workspace=workspace,
        now=utcnow(),
        filters=set(f),
        actor_id=principal.user.id,
        channel_id=channel_id,
        cursor=cursor,
        limit=limit,
    )
    return QueuePageRead(
        items=[
            QueueItemRead(
                message=MessageRead.model_validate(it.message),
                conversation_id=it.conversation.id,
                assignee_id=it.conversation.assignee_id,
                author_name=it.author_name,
                waiting=it.waiting,
                urgency_band=it.band,
                off_hours=it.off_hours,
                due_at=it.due_at,
                sla_level=it.sla_level.value if it.sla_level else None,
            )
            for it in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.post("/workspaces/{workspace_id}/queue/bulk", dependencies=[CsrfChecked])
def bulk_action(
    workspace: CurrentWorkspace, body: BulkRequest, db: DbSession, principal: CurrentPrincipal
) -> dict[str, int]:
    """Assign, mark "no reply needed" or hide as spam (with a reason) each chosen person's item; audited."""
    changed = bulk.apply(
        db,
        workspace_id=workspace.id,
        action=body.action,
        message_ids=body.message_ids,
        actor=principal.user,
        assignee_id=body.assignee_id,
        reason=body.reason,
    )
    return {"changed": changed}
