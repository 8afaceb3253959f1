"""Editing SLA policies and alert destinations (the checking itself is in `service`).

A destination's target is write-only for URL kinds: chat and webhook URLs carry their token in the
URL itself, so only the scheme and host are ever shown back (an e-mail address is shown whole).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.settings.edit import apply, check_member
from tending.sla.models import (
    AlertDestination,
    AlertDestinationCreate,
    AlertDestinationRead,
    DestinationKind,
    SlaPolicy,
    SlaPolicyCreate,
)
from tending.sla.service import create_policy


def list_policies(session: Session, *, workspace_id: int) -> list[SlaPolicy]:
    return list(
        session.scalars(
            select(SlaPolicy).where(SlaPolicy.workspace_id == workspace_id).order_by(SlaPolicy.id)
        )
    )


def add_policy(session: Session, *, workspace_id: int, policy_in: SlaPolicyCreate) -> SlaPolicy:
    check_member(session, workspace_id, policy_in.escalation_member_id, "escalation_member_id")
    return create_policy(session, workspace_id=workspace_id, policy_in=policy_in)


def update_policy(
    session: Session, *, policy: SlaPolicy, policy_in: SlaPolicyCreate, active: bool | None = None
) -> list[str]:
    """Apply a whole new value; returns the names of the fields that changed."""
    check_member(session, policy.workspace_id, policy_in.escalation_member_id, "escalation_member_id")
    values: dict[str, Any] = policy_in.model_dump()
    if active is not None:
        values["active"] = active
    changed = apply(policy, values)
    session.flush()
    return changed


def list_destinations(session: Session, *, workspace_id: int) -> list[AlertDestination]:
    return list(
        session.scalars(
            select(AlertDestination)
            .where(AlertDestination.workspace_id == workspace_id)
            .order_by(AlertDestination.id)
        )
    )


def add_destination(
    session: Session, *, workspace_id: int, destination_in: AlertDestinationCreate
) -> AlertDestination:
    dest = AlertDestination(
        workspace_id=workspace_id,
        kind=destination_in.kind.value,
        target=destination_in.target.strip(),
        active=True,
    )
    session.add(dest)
    session.flush()
    return dest


def update_destination(
    session: Session,
    *,
    destination: AlertDestination,
    destination_in: AlertDestinationCreate,
    active: bool | None,
) -> list[str]:
    values: dict[str, Any] = {"kind": destination_in.kind.value, "target": destination_in.target.strip()}
    if active is not None:
        values["active"] = active
    changed = apply(destination, values)
    session.flush()
    return changed


def target_hint(kind: str, target: str) -> str:
    """What may be shown of a target: the address for e-mail; scheme and host only for a URL."""
    if kind == DestinationKind.email.value:
        return target
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.hostname or '?'}/…"


def to_read(dest: AlertDestination) -> AlertDestinationRead:
    return AlertDestinationRead(
        id=dest.id,
        workspace_id=dest.workspace_id,
        kind=dest.kind,
        target_hint=target_hint(dest.kind, dest.target),
        active=dest.active,
        created_at=dest.created_at,
    )
