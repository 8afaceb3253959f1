"""Routing rules and the fallback owner over the API. Admins change them (they decide who works what);
everyone on the workspace may read them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from tending.auth.deps import CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession
from tending.routing import rules
from tending.routing.models import (
    FallbackOwner,
    RoutingRule,
    RoutingRuleCreate,
    RoutingRuleRead,
    RoutingRuleUpdate,
)
from tending.settings.edit import ADMIN_ONLY, merged, owned, require_writer

router = APIRouter(tags=["routing"])
BASE = "/workspaces/{workspace_id}/routing-rules"


@router.get(BASE, response_model=list[RoutingRuleRead])
def list_rules(workspace: CurrentWorkspace, db: DbSession) -> list[RoutingRuleRead]:
    return [RoutingRuleRead.model_validate(r) for r in rules.list_rules(db, workspace_id=workspace.id)]


@router.post(BASE, response_model=RoutingRuleRead, status_code=201, dependencies=[CsrfChecked])
def create_rule(
    workspace: CurrentWorkspace, body: RoutingRuleCreate, db: DbSession, principal: CurrentPrincipal
) -> RoutingRuleRead:
    require_writer(principal, ADMIN_ONLY, "routing rules")
    rule = rules.add_rule(db, workspace_id=workspace.id, rule_in=body, actor_id=principal.user.id)
    return RoutingRuleRead.model_validate(rule)


@router.patch(BASE + "/{rule_id}", response_model=RoutingRuleRead, dependencies=[CsrfChecked])
def update_rule(
    workspace: CurrentWorkspace,
    rule_id: int,
    body: RoutingRuleUpdate,
    db: DbSession,
    principal: CurrentPrincipal,
) -> RoutingRuleRead:
    """Only the fields sent change. Naming one target clears the other unless both are sent."""
    require_writer(principal, ADMIN_ONLY, "routing rules")
    rule = owned(db, RoutingRule, rule_id, workspace.id, "routing rule")
    sent = body.model_fields_set
    if body.target_member_id is not None and "target_expertise" not in sent:
        body.target_expertise = None
    elif body.target_expertise is not None and "target_member_id" not in sent:
        body.target_member_id = None
    rules.update_rule(
        db, rule=rule, rule_in=merged(RoutingRuleCreate, rule, body), actor_id=principal.user.id
    )
    return RoutingRuleRead.model_validate(rule)


@router.delete(BASE + "/{rule_id}", status_code=204, dependencies=[CsrfChecked])
def delete_rule(
    workspace: CurrentWorkspace, rule_id: int, db: DbSession, principal: CurrentPrincipal
) -> Response:
    require_writer(principal, ADMIN_ONLY, "routing rules")
    rule = owned(db, RoutingRule, rule_id, workspace.id, "routing rule")
    rules.delete_rule(db, rule=rule, actor_id=principal.user.id)
    return Response(status_code=204)


@router.get("/workspaces/{workspace_id}/fallback-owner", response_model=FallbackOwner)
def get_fallback_owner(workspace: CurrentWorkspace) -> FallbackOwner:
    return FallbackOwner(user_id=workspace.fallback_owner_id)


@router.put(
    "/workspaces/{workspace_id}/fallback-owner", response_model=FallbackOwner, dependencies=[CsrfChecked]
)
def put_fallback_owner(
    workspace: CurrentWorkspace, body: FallbackOwner, db: DbSession, principal: CurrentPrincipal
) -> FallbackOwner:
    require_writer(principal, ADMIN_ONLY, "the fallback owner")
    rules.set_fallback_owner(db, workspace=workspace, user_id=body.user_id, actor_id=principal.user.id)
    return FallbackOwner(user_id=workspace.fallback_owner_id)
