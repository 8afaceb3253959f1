"""Editing routing rules and the workspace's fallback owner (the routing itself is in `service`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.routing.models import RoutingRule, RoutingRuleCreate
from tending.routing.service import create_rule
from tending.settings.edit import (
    apply_delete,
    apply_update,
    check_member,
    check_own,
    log_setting,
)
from tending.workspace.models import Workspace
from tending.workspace.scope import Scoped


def list_rules(session: Session, *, workspace_id: int) -> list[RoutingRule]:
    """In the order routing tries them."""
    return list(
        session.scalars(
            select(RoutingRule)
            .where(RoutingRule.workspace_id == workspace_id)
            .order_by(RoutingRule.position, RoutingRule.id)
        )
    )


def _check(session: Session, workspace_id: int, rule_in: RoutingRuleCreate) -> None:
    """A rule may only name this workspace's people and channels."""
    check_member(session, workspace_id, rule_in.target_member_id, "target_member_id")
    check_own(session, workspace_id, Scoped.channel, rule_in.match_channel_ids, "match_channel_ids")


def _clean(rule_in: RoutingRuleCreate) -> dict[str, Any]:
    data = rule_in.model_dump()
    for key in ("match_topics", "match_intents", "match_languages", "match_sentiments"):
        data[key] = [v.strip() for v in data[key] if v.strip()]
    data["match_topics"] = [t.lower() for t in data["match_topics"]]
    return data


KIND = "routing_rule"


def add_rule(
    session: Session, *, workspace_id: int, rule_in: RoutingRuleCreate, actor_id: int
) -> RoutingRule:
    _check(session, workspace_id, rule_in)
    rule = create_rule(
        session, workspace_id=workspace_id, rule_in=RoutingRuleCreate.model_validate(_clean(rule_in))
    )
    log_setting(
        session,
        actor_id=actor_id,
        workspace_id=workspace_id,
        kind=KIND,
        verb="create",
        target_id=rule.id,
        detail={"name": rule.name},
    )
    return rule


def update_rule(
    session: Session, *, rule: RoutingRule, rule_in: RoutingRuleCreate, actor_id: int
) -> list[str]:
    """Apply a whole new value; returns the names of the fields that changed."""
    _check(session, rule.workspace_id, rule_in)
    return apply_update(session, row=rule, values=_clean(rule_in), actor_id=actor_id, kind=KIND)


def delete_rule(session: Session, *, rule: RoutingRule, actor_id: int) -> None:
    apply_delete(session, row=rule, actor_id=actor_id, kind=KIND, detail={"name": rule.name})


def set_fallback_owner(session: Session, *, workspace: Workspace, user_id: int | None, actor_id: int) -> None:
    check_member(session, workspace.id, user_id, "user_id")
    workspace.fallback_owner_id = user_id
    session.flush()
    record(
        session,
        workspace_id=workspace.id,
        actor_id=actor_id,
        action="workspace.fallback_owner",
        target_type="user",
        target_id=user_id,
    )
