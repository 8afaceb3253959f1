"""Response figures, SLA policies and alert destinations over the API.

Policies and destinations are changed by admins (they decide when people get paged); everyone on the
workspace may read them. A destination's target is never returned for URL kinds (see `policies`)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status

from tending.auth.deps import CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession, utcnow
from tending.moments import Moment
from tending.settings.edit import ADMIN_ONLY, merged, owned, require_writer
from tending.sla import policies
from tending.sla.figures import response_figures
from tending.sla.models import (
    AlertDestination,
    AlertDestinationCreate,
    AlertDestinationRead,
    AlertDestinationUpdate,
    SlaPolicy,
    SlaPolicyCreate,
    SlaPolicyRead,
    SlaPolicyUpdate,
)

router = APIRouter(tags=["responses"])


@router.get("/workspaces/{workspace_id}/responses")
def get_response_figures(
    workspace: CurrentWorkspace,
    db: DbSession,
    since: Moment | None = None,
    until: Moment | None = None,
) -> dict[str, Any]:
    """Defaults to the last 30 days so a bare call answers the question teams ask most."""
    now = utcnow()
    end = until or now
    start = since or end - timedelta(days=30)
    if start >= end:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "since must be before until")
    figures = response_figures(db, workspace_id=workspace.id, since=start, until=end, now=now)
    return figures.as_dict()


POLICIES = "/workspaces/{workspace_id}/sla-policies"
DESTINATIONS = "/workspaces/{workspace_id}/alert-destinations"


@router.get(POLICIES, response_model=list[SlaPolicyRead])
def list_policies(workspace: CurrentWorkspace, db: DbSession) -> list[SlaPolicyRead]:
    return [SlaPolicyRead.model_validate(p) for p in policies.list_policies(db, workspace_id=workspace.id)]


@router.post(POLICIES, response_model=SlaPolicyRead, status_code=201, dependencies=[CsrfChecked])
def create_policy(
    workspace: CurrentWorkspace, body: SlaPolicyCreate, db: DbSession, principal: CurrentPrincipal
) -> SlaPolicyRead:
    require_writer(principal, ADMIN_ONLY, "SLA policies")
    policy = policies.add_policy(db, workspace_id=workspace.id, policy_in=body, actor_id=principal.user.id)
    return SlaPolicyRead.model_validate(policy)


@router.patch(POLICIES + "/{policy_id}", response_model=SlaPolicyRead, dependencies=[CsrfChecked])
def update_policy(
    workspace: CurrentWorkspace,
    policy_id: int,
    body: SlaPolicyUpdate,
    db: DbSession,
    principal: CurrentPrincipal,
) -> SlaPolicyRead:
    require_writer(principal, ADMIN_ONLY, "SLA policies")
    policy = owned(db, SlaPolicy, policy_id, workspace.id, "SLA policy")
    policies.update_policy(
        db,
        policy=policy,
        policy_in=merged(SlaPolicyCreate, policy, body),
        active=body.active,
        actor_id=principal.user.id,
    )
    return SlaPolicyRead.model_validate(policy)


@router.delete(POLICIES + "/{policy_id}", status_code=204, dependencies=[CsrfChecked])
def delete_policy(
    workspace: CurrentWorkspace, policy_id: int, db: DbSession, principal: CurrentPrincipal
) -> Response:
    require_writer(principal, ADMIN_ONLY, "SLA policies")
    policy = owned(db, SlaPolicy, policy_id, workspace.id, "SLA policy")
    policies.delete_policy(db, policy=policy, actor_id=principal.user.id)
    return Response(status_code=204)


@router.get(DESTINATIONS, response_model=list[AlertDestinationRead])
def list_destinations(
    workspace: CurrentWorkspace, db: DbSession, request: Request
) -> list[AlertDestinationRead]:
    settings = request.app.state.settings
    return [
        policies.to_read(d, settings=settings)
        for d in policies.list_destinations(db, workspace_id=workspace.id)
    ]


@router.post(DESTINATIONS, response_model=AlertDestinationRead, status_code=201, dependencies=[CsrfChecked])
def create_destination(
    workspace: CurrentWorkspace,
    body: AlertDestinationCreate,
    db: DbSession,
    principal: CurrentPrincipal,
    request: Request,
) -> AlertDestinationRead:
    require_writer(principal, ADMIN_ONLY, "alert destinations")
    settings = request.app.state.settings
    dest = policies.add_destination(
        db, settings=settings, workspace_id=workspace.id, destination_in=body, actor_id=principal.user.id
    )
    read = policies.to_read(dest, settings=settings)
    return read


@router.patch(
    DESTINATIONS + "/{destination_id}", response_model=AlertDestinationRead, dependencies=[CsrfChecked]
)
def update_destination(
    workspace: CurrentWorkspace,
    destination_id: int,
    body: AlertDestinationUpdate,
    db: DbSession,
    principal: CurrentPrincipal,
    request: Request,
) -> AlertDestinationRead:
    """The target is write-only: leave it out to keep the stored one."""
    require_writer(principal, ADMIN_ONLY, "alert destinations")
    settings = request.app.state.settings
    dest = owned(db, AlertDestination, destination_id, workspace.id, "alert destination")
    current = {"kind": dest.kind, "target": policies.destination_target(settings, dest)}
    policies.update_destination(
        db,
        settings=settings,
        destination=dest,
        destination_in=merged(AlertDestinationCreate, SimpleNamespace(**current), body),
        active=body.active,
        actor_id=principal.user.id,
    )
    return policies.to_read(dest, settings=settings)


@router.delete(DESTINATIONS + "/{destination_id}", status_code=204, dependencies=[CsrfChecked])
def delete_destination(
    workspace: CurrentWorkspace,
    destination_id: int,
    db: DbSession,
    principal: CurrentPrincipal,
    request: Request,
) -> Response:
    require_writer(principal, ADMIN_ONLY, "alert destinations")
    dest = owned(db, AlertDestination, destination_id, workspace.id, "alert destination")
    policies.delete_destination(
        db, settings=request.app.state.settings, destination=dest, actor_id=principal.user.id
    )
    return Response(status_code=204)
