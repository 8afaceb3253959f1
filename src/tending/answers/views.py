"""Prepared answers over the API: suggestions for a message and the check that keeps replies human."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from tending.answers.service import check_reply_humanity, suggest_answers
from tending.auth.deps import CsrfChecked, CurrentWorkspace
from tending.database.core import DbSession
from tending.inbox.models import Message

router = APIRouter(tags=["answers"])


class ReplyDraft(BaseModel):
    text: str = Field(min_length=1, max_length=10000)


@router.get("/workspaces/{workspace_id}/messages/{message_id}/suggestions")
def suggestions(workspace: CurrentWorkspace, message_id: int, db: DbSession) -> list[dict[str, Any]]:
    msg = db.get(Message, message_id)
    if msg is None or msg.workspace_id != workspace.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "message not found")
    return [asdict(s) for s in suggest_answers(db, message=msg)]


@router.post("/workspaces/{workspace_id}/replies/check", dependencies=[CsrfChecked])
def check_reply(workspace: CurrentWorkspace, body: ReplyDraft, db: DbSession) -> dict[str, Any]:
    """Read-only: checking a draft changes nothing, so agency accounts may use it too."""
    return asdict(check_reply_humanity(db, workspace_id=workspace.id, text=body.text))
