"""Writing and reading the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
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


def log(
    session: Session,
    *,
    workspace_id: int,
    actor_id: int | None,
    kind: str,
    verb: str,
    target_id: int | None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """The entry `<kind>.<verb>` about one thing of that kind (`target_type` is the kind)."""
    return record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        action=f"{kind}.{verb}",
        target_type=kind,
        target_id=target_id,
        detail=detail,
    )


def log_about(
    session: Session,
    row: Any,
    kind: str,
    verb: str,
    *,
    actor_id: int | None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """`log` for a row that carries its `id` and `workspace_id` (a campaign, a post...)."""
    return log(
        session,
        workspace_id=row.workspace_id,
        actor_id=actor_id,
        kind=kind,
        verb=verb,
        target_id=row.id,
        detail=detail,
    )


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read: by whom (`system` for entries no person made), what, and when."""

    actor_id: int | None = None
    system_only: bool = False
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    target_type: str | None = None
    target_id: int | None = None


def _where(stmt: Select[Any], workspace_id: int, f: AuditFilter) -> Select[Any]:
    stmt = stmt.where(AuditEntry.workspace_id == workspace_id)
    if f.target_type:
        stmt = stmt.where(AuditEntry.target_type == f.target_type)
    if f.target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == f.target_id)
    if f.system_only:
        stmt = stmt.where(AuditEntry.actor_id.is_(None))
    elif f.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == f.actor_id)
    if f.action:
        # "campaign" matches every campaign action; "campaign.launch" only that one.
        if "." in f.action:
            stmt = stmt.where(AuditEntry.action == f.action)
        else:
            stmt = stmt.where(AuditEntry.action.startswith(f.action + ".", autoescape=True))
    if f.since is not None:
        stmt = stmt.where(AuditEntry.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(AuditEntry.at < f.until)
    return stmt


def list_entries(
    session: Session,
    *,
    workspace_id: int,
    target_type: str | None = None,
    target_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
    where: AuditFilter | None = None,
) -> list[AuditEntry]:
    """Newest first; `where` filters (its target fields win over the two keyword shortcuts)."""
    f = where or AuditFilter(target_type=target_type, target_id=target_id)
    stmt = _where(select(AuditEntry), workspace_id, f)
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset(offset).limit(limit)
    return list(session.scalars(stmt))


def count_entries(session: Session, *, workspace_id: int, where: AuditFilter) -> int:
    return session.scalar(_where(select(func.count(AuditEntry.id)), workspace_id, where)) or 0


def actions(session: Session, *, workspace_id: int) -> list[str]:
    """Every action the workspace's log holds, for the filter's choices."""
    stmt = select(AuditEntry.action).where(AuditEntry.workspace_id == workspace_id).distinct()
    return sorted(session.scalars(stmt))
