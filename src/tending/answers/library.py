"""Editing the library of prepared answers (suggesting them is in `service`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.answers.models import PreparedAnswer, PreparedAnswerCreate
from tending.answers.service import answer_fields, create_answer
from tending.settings.edit import apply_delete, apply_update, log_setting

KIND = "prepared_answer"


def list_answers(session: Session, *, workspace_id: int) -> list[PreparedAnswer]:
    return list(
        session.scalars(
            select(PreparedAnswer)
            .where(PreparedAnswer.workspace_id == workspace_id)
            .order_by(PreparedAnswer.title, PreparedAnswer.id)
        )
    )


def add_answer(
    session: Session, *, workspace_id: int, actor_id: int, answer_in: PreparedAnswerCreate
) -> PreparedAnswer:
    answer = create_answer(session, workspace_id=workspace_id, author_id=actor_id, answer_in=answer_in)
    log_setting(
        session,
        actor_id=actor_id,
        workspace_id=workspace_id,
        kind=KIND,
        verb="create",
        target_id=answer.id,
        detail={"title": answer.title},
    )
    return answer


def update_answer(
    session: Session, *, answer: PreparedAnswer, answer_in: PreparedAnswerCreate, actor_id: int
) -> list[str]:
    """Apply a whole new value; returns the names of the fields that changed. Usage counts stay."""
    return apply_update(session, row=answer, values=answer_fields(answer_in), actor_id=actor_id, kind=KIND)


def delete_answer(session: Session, *, answer: PreparedAnswer, actor_id: int) -> None:
    apply_delete(session, row=answer, actor_id=actor_id, kind=KIND, detail={"title": answer.title})
