"""Editing a person's working profile: expertise, time zone and hours, which routing reads."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.auth.models import User
from tending.auth.roles import Role
from tending.errors import Forbidden, NotFound
from tending.settings.edit import SettingRefused
from tending.sla.business_hours import ScheduleError, load_zone, parse_hours
from tending.workspace.models import Workspace
from tending.workspace.service import members_of


class ProfileForbidden(Forbidden):
    """Only an admin edits another person's profile."""


def edit_profile(
    session: Session,
    *,
    workspace: Workspace,
    user_id: int,
    actor: User,
    expertise: str,
    timezone: str,
    hours: str,
) -> User:
    """Set a member's expertise (comma separated), IANA time zone and hours (`mon-fri 09:00-17:00`)."""
    if actor.role != Role.admin.value and actor.id != user_id:
        raise ProfileForbidden("you may edit only your own profile")
    user = next((m for m in members_of(session, workspace.id) if m.id == user_id), None)
    if user is None:
        raise NotFound("not on this workspace")
    try:
        load_zone(timezone)
        working_hours = parse_hours(hours)
    except ScheduleError as exc:
        raise SettingRefused(f"not saved: {exc}") from None
    user.working_hours = working_hours
    user.timezone = timezone
    user.expertise = [e.strip().lower() for e in expertise.split(",") if e.strip()]
    session.flush()
    record(
        session,
        workspace_id=workspace.id,
        actor_id=actor.id,
        action="user.edit",
        target_type="user",
        target_id=user.id,
        detail={"expertise": user.expertise, "timezone": timezone},
    )
    return user
