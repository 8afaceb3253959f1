"""Moderation over the API: hide spam/abuse with a reason, unhide, and the report that keeps hiding honest."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from tending.auth.deps import BrandPrincipal, CsrfChecked, CurrentWorkspace
from tending.connectors.bases import ReviewDecision
from tending.database.core import DbSession, utcnow
from tending.inbox.models import Message
from tending.moderation.network_review import decide_network_review
from tending.moderation.service import hide_message, moderation_report, unhide_message
from tending.moments import Moment

router = APIRouter(tags=["moderation"])


class HideRequest(BaseModel):
    category: str = Field(min_length=1, max_length=40)
    reason: str = Field(default="", max_length=2000)


class UnhideRequest(BaseModel):
    reason: str = Field(default="", max_length=2000)


def _message_state(msg: Message) -> dict[str, Any]:
    return {"id": msg.id, "hidden": msg.hidden, "hidden_reason": msg.hidden_reason}


def _own_message(db: DbSession, workspace_id: int, message_id: int) -> Message:
    msg = db.get(Message, message_id)
    if msg is None or msg.workspace_id != workspace_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "message not found")
    return msg


@router.post("/workspaces/{workspace_id}/messages/{message_id}/hide", dependencies=[CsrfChecked])
def hide(
    workspace: CurrentWorkspace,
    message_id: int,
    body: HideRequest,
    db: DbSession,
    principal: BrandPrincipal,
) -> dict[str, Any]:
    msg = _own_message(db, workspace.id, message_id)
    hide_message(  # or ModerationRefused: 409
        db, message_id=msg.id, actor=principal.user, reason=body.reason, category=body.category
    )
    return _message_state(msg)


@router.post("/workspaces/{workspace_id}/messages/{message_id}/unhide", dependencies=[CsrfChecked])
def unhide(
    workspace: CurrentWorkspace,
    message_id: int,
    db: DbSession,
    principal: BrandPrincipal,
    body: UnhideRequest | None = None,
) -> dict[str, Any]:
    msg = _own_message(db, workspace.id, message_id)
    unhide_message(db, message_id=msg.id, actor=principal.user, reason=body.reason if body else "")
    return _message_state(msg)


class ReviewRequest(BaseModel):
    decision: ReviewDecision


@router.post("/workspaces/{workspace_id}/messages/{message_id}/network-review", dependencies=[CsrfChecked])
def network_review(
    workspace: CurrentWorkspace,
    message_id: int,
    body: ReviewRequest,
    db: DbSession,
    principal: BrandPrincipal,
    request: Request,
) -> dict[str, Any]:
    """Approve (publish on the network) or reject a comment the network held for review or as spam."""
    msg = _own_message(db, workspace.id, message_id)
    decide_network_review(
        db, settings=request.app.state.settings, message=msg, decision=body.decision, actor=principal.user
    )
    return {"id": msg.id, "network_review": msg.network_review}


@router.get("/workspaces/{workspace_id}/moderation/report")
def report(
    workspace: CurrentWorkspace,
    db: DbSession,
    since: Moment | None = None,
    until: Moment | None = None,
) -> dict[str, Any]:
    end = until or utcnow()
    start = since or end - timedelta(days=30)
    if start >= end:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "since must be before until")
    result = moderation_report(db, workspace_id=workspace.id, since=start, until=end)
    data = asdict(result)
    data["since"], data["until"] = start.isoformat(), end.isoformat()
    return data
