"""Ids carried in a request body must name things of the request's own workspace.

Every service that stores an id sent by a caller (an owner, an assignee, a responder, a routing target,
a channel, a campaign) checks it here before storing it. A refusal names the field only: an id of another
workspace and an id of nothing answer the same words, so a caller learns neither whether it exists nor
whose it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import Select, column, select, table
from sqlalchemy.orm import Session

from tending.auth.models import Role, User, WorkspaceMembership
from tending.errors import Refused

# The workspace's own rows of other domains, named by table: the domains' services call this check,
# so importing their models here would make each domain and this module import each other.
_OWNED_ROWS = {
    "channel": table("channel", column("id"), column("workspace_id")),
    "campaign": table("campaign", column("id"), column("workspace_id")),
}


class Scoped(StrEnum):
    """What an id may name; the value is the word used in a refusal."""

    member = "person"
    channel = "channel"
    campaign = "campaign"


class ForeignId(Refused, ValueError):
    """An id in a request names nothing of this workspace."""

    def __init__(self, field: str, kind: Scoped) -> None:
        self.field = field
        self.kind = kind
        super().__init__(f"{field}: no such {kind.value} on this workspace")


def _owned(workspace_id: int, kind: Scoped, ids: set[int]) -> Select[int]:
    if kind is Scoped.member:
        # People who can work the workspace: its active members and every active admin.
        members = select(WorkspaceMembership.user_id).where(WorkspaceMembership.workspace_id == workspace_id)
        return select(User.id).where(
            User.id.in_(ids),
            User.active.is_(True),
            User.id.in_(members) | (User.role == Role.admin.value),
        )
    rows = _OWNED_ROWS[kind.name]
    return select(rows.c.id).where(rows.c.id.in_(ids), rows.c.workspace_id == workspace_id)


def require_own(
    session: Session, *, workspace_id: int, kind: Scoped, field: str, ids: int | Iterable[int] | None
) -> None:
    """Raise ForeignId unless every id given (one, several or none) names a `kind` of this workspace."""
    wanted = {ids} if isinstance(ids, int) else set(ids or ())
    if wanted and not wanted <= set(session.scalars(_owned(workspace_id, kind, wanted))):
        raise ForeignId(field, kind)
