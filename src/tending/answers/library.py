"""Editing the library of prepared answers (suggesting them is in `service`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.answers.models import PreparedAnswer, PreparedAnswerCreate
from tending.answers.service import answer_fields
from tending.settings.edit import apply


def list_answers(session: Session, *, workspace_id: int) -> list[PreparedAnswer]:
    return list(
        session.scalars(
            select(PreparedAnswer)
            .where(PreparedAnswer.workspace_id == workspace_id)
            .order_by(PreparedAnswer.title, PreparedAnswer.id)
        )
    )


def update_answer(session: Session, *, answer: PreparedAnswer, answer_in: PreparedAnswerCreate) -> list[str]:
    """Apply a whole new value; returns the names of the fields that changed. Usage counts stay."""
    changed = apply(answer, answer_fields(answer_in))
    session.flush()
    return changed
