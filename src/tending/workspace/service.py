"""Workspaces: creation and the list a user may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.auth.models import User, WorkspaceMembership
from tending.auth.roles import Role
from tending.auth.service import workspace_ids_for
from tending.workspace.models import Workspace, WorkspaceCreate


def create(session: Session, *, workspace_in: WorkspaceCreate) -> Workspace:
    ws = Workspace(name=workspace_in.name, slug=workspace_in.slug, timezone=workspace_in.timezone)
    session.add(ws)
    session.flush()
    return ws


def get_by_slug(session: Session, *, slug: str) -> Workspace | None:
    return session.scalar(select(Workspace).where(Workspace.slug == slug))


def visible_to(session: Session, *, user: User, only_id: int | None = None) -> list[Workspace]:
    stmt = select(Workspace).order_by(Workspace.name)
    allowed = workspace_ids_for(session, user=user)
    if allowed is not None:
        stmt = stmt.where(Workspace.id.in_(allowed))
    if only_id is not None:
        stmt = stmt.where(Workspace.id == only_id)
    return list(session.scalars(stmt))


def members_of(session: Session, workspace_id: int) -> list[User]:
    """People who can work this workspace: its active members and every active admin, by name."""
    member_ids = select(WorkspaceMembership.user_id).where(WorkspaceMembership.workspace_id == workspace_id)
    return list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), (User.id.in_(member_ids)) | (User.role == Role.admin.value))
            .order_by(User.name)
        )
    )
