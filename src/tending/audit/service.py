"""Writing and reading the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.audit.models import AuditEntry


def record(
    session: Session,
    *,
    workspace_id: int | None,
    actor_id: int | None,
    action: str,
    target_type: str = "",
    target_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        workspace_id=workspace_id,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail or {},
    )
    session.add(entry)
    session.flush()
    return entry


def list_entries(
    session: Session,
    *,
    workspace_id: int,
    target_type: str | None = None,
    target_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    return list(session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))
