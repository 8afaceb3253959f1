"""Prepared answers over the API: the library (written by admins and members; agency accounts read it),
suggestions for a message, and the check that keeps replies human."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field

from tending.answers import library
from tending.answers.models import (
    PreparedAnswer,
    PreparedAnswerCreate,
    PreparedAnswerRead,
    PreparedAnswerUpdate,
)
from tending.answers.service import check_reply_humanity, suggest_answers
from tending.auth.deps import CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession
from tending.inbox.models import Message
from tending.settings.edit import ADMIN_AND_MEMBER, merged, owned, require_writer

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


BASE = "/workspaces/{workspace_id}/prepared-answers"


@router.get(BASE, response_model=list[PreparedAnswerRead])
def list_answers(workspace: CurrentWorkspace, db: DbSession) -> list[PreparedAnswerRead]:
    return [PreparedAnswerRead.model_validate(a) for a in library.list_answers(db, workspace_id=workspace.id)]


@router.post(BASE, response_model=PreparedAnswerRead, status_code=201, dependencies=[CsrfChecked])
def create(
    workspace: CurrentWorkspace, body: PreparedAnswerCreate, db: DbSession, principal: CurrentPrincipal
) -> PreparedAnswerRead:
    require_writer(principal, ADMIN_AND_MEMBER, "prepared answers")
    answer = library.add_answer(db, workspace_id=workspace.id, actor_id=principal.user.id, answer_in=body)
    return PreparedAnswerRead.model_validate(answer)


@router.patch(BASE + "/{answer_id}", response_model=PreparedAnswerRead, dependencies=[CsrfChecked])
def update(
    workspace: CurrentWorkspace,
    answer_id: int,
    body: PreparedAnswerUpdate,
    db: DbSession,
    principal: CurrentPrincipal,
) -> PreparedAnswerRead:
    require_writer(principal, ADMIN_AND_MEMBER, "prepared answers")
    answer = owned(db, PreparedAnswer, answer_id, workspace.id, "prepared answer")
    library.update_answer(
        db, answer=answer, answer_in=merged(PreparedAnswerCreate, answer, body), actor_id=principal.user.id
    )
    return PreparedAnswerRead.model_validate(answer)


@router.delete(BASE + "/{answer_id}", status_code=204, dependencies=[CsrfChecked])
def delete(
    workspace: CurrentWorkspace, answer_id: int, db: DbSession, principal: CurrentPrincipal
) -> Response:
    require_writer(principal, ADMIN_AND_MEMBER, "prepared answers")
    answer = owned(db, PreparedAnswer, answer_id, workspace.id, "prepared answer")
    library.delete_answer(db, answer=answer, actor_id=principal.user.id)
    return Response(status_code=204)
