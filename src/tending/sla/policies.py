"""Editing SLA policies and alert destinations (the checking itself is in `service`).

A destination's target is write-only for URL kinds: chat and webhook URLs carry their token in the
URL itself, so they are stored encrypted (the channel credentials' key) and only the scheme and host are
ever shown back. An e-mail address is stored and shown as it is.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.config import Settings
from tending.connectors.http import OutboundPolicy, url_problem
from tending.settings.edit import SettingRefused, apply_delete, apply_update, check_member, log_setting
from tending.sla.models import (
    AlertDestination,
    AlertDestinationCreate,
    AlertDestinationRead,
    DestinationKind,
    SlaPolicy,
    SlaPolicyCreate,
)
from tending.sla.service import create_policy
from tending.sla.targets import TargetUnreadable, destination_target, seal_target


def list_policies(session: Session, *, workspace_id: int) -> list[SlaPolicy]:
    return list(
        session.scalars(
            select(SlaPolicy).where(SlaPolicy.workspace_id == workspace_id).order_by(SlaPolicy.id)
        )
    )


POLICY, DESTINATION = "sla_policy", "alert_destination"


def add_policy(
    session: Session, *, workspace_id: int, policy_in: SlaPolicyCreate, actor_id: int
) -> SlaPolicy:
    check_member(session, workspace_id, policy_in.escalation_member_id, "escalation_member_id")
    policy = create_policy(session, workspace_id=workspace_id, policy_in=policy_in)
    log_setting(
        session,
        actor_id=actor_id,
        workspace_id=workspace_id,
        kind=POLICY,
        verb="create",
        target_id=policy.id,
        detail={"name": policy.name},
    )
    return policy


def update_policy(
    session: Session,
    *,
    policy: SlaPolicy,
    policy_in: SlaPolicyCreate,
    actor_id: int,
    active: bool | None = None,
) -> list[str]:
    """Apply a whole new value; returns the names of the fields that changed."""
    check_member(session, policy.workspace_id, policy_in.escalation_member_id, "escalation_member_id")
    values: dict[str, Any] = policy_in.model_dump()
    if active is not None:
        values["active"] = active
    return apply_update(session, row=policy, values=values, actor_id=actor_id, kind=POLICY)


def delete_policy(session: Session, *, policy: SlaPolicy, actor_id: int) -> None:
    apply_delete(session, row=policy, actor_id=actor_id, kind=POLICY, detail={"name": policy.name})


def list_destinations(session: Session, *, workspace_id: int) -> list[AlertDestination]:
    return list(
        session.scalars(
            select(AlertDestination)
            .where(AlertDestination.workspace_id == workspace_id)
            .order_by(AlertDestination.id)
        )
    )


def _sealed(settings: Settings, *, kind: str, target: str) -> str:
    """The stored form of a new target; a URL the server will never call (a private literal address,
    localhost) is refused now, and every send checks the resolved address again."""
    if kind != DestinationKind.email.value:
        problem = url_problem(target, OutboundPolicy.from_settings(settings))
        if problem:
            raise SettingRefused(f"target: this address {problem}")
    return seal_target(settings, kind=kind, target=target)


def add_destination(
    session: Session,
    *,
    settings: Settings,
    workspace_id: int,
    destination_in: AlertDestinationCreate,
    actor_id: int,
) -> AlertDestination:
    kind = destination_in.kind.value
    dest = AlertDestination(
        workspace_id=workspace_id,
        kind=kind,
        target=_sealed(settings, kind=kind, target=destination_in.target.strip()),
        active=True,
    )
    session.add(dest)
    session.flush()
    log_setting(
        session,
        actor_id=actor_id,
        workspace_id=workspace_id,
        kind=DESTINATION,
        verb="create",
        target_id=dest.id,
        detail={"kind": dest.kind, "target": hint_of(settings, dest)},
    )
    return dest


def update_destination(
    session: Session,
    *,
    settings: Settings,
    destination: AlertDestination,
    destination_in: AlertDestinationCreate,
    active: bool | None,
    actor_id: int,
) -> list[str]:
    kind, target = destination_in.kind.value, destination_in.target.strip()
    values: dict[str, Any] = {"kind": kind}
    # Encryption gives a new text each time: only a different target (or kind) is written.
    if kind != destination.kind or target != destination_target(settings, destination):
        values["target"] = _sealed(settings, kind=kind, target=target)
    if active is not None:
        values["active"] = active
    return apply_update(session, row=destination, values=values, actor_id=actor_id, kind=DESTINATION)


def delete_destination(
    session: Session, *, settings: Settings, destination: AlertDestination, actor_id: int
) -> None:
    apply_delete(
        session,
        row=destination,
        actor_id=actor_id,
        kind=DESTINATION,
        detail={"kind": destination.kind, "target": hint_of(settings, destination)},
    )


def target_hint(kind: str, target: str) -> str:
    """What may be shown of a target: the address for e-mail; scheme and host only for a URL."""
    if kind == DestinationKind.email.value:
        return target
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.hostname or '?'}/…"


def hint_of(settings: Settings, dest: AlertDestination) -> str:
    try:
        return target_hint(dest.kind, destination_target(settings, dest))
    except TargetUnreadable:
        return "(unreadable: key changed)"


def to_read(dest: AlertDestination, *, settings: Settings) -> AlertDestinationRead:
    return AlertDestinationRead(
        id=dest.id,
        workspace_id=dest.workspace_id,
        kind=dest.kind,
        target_hint=hint_of(settings, dest),
        active=dest.active,
        created_at=dest.created_at,
    )
