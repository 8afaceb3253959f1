"""Editing routing rules and the workspace's fallback owner (the routing itself is in `service`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.channel.models import Channel
from tending.routing.models import RoutingRule, RoutingRuleCreate
from tending.routing.service import create_rule
from tending.settings.edit import SettingRefused, apply, check_member
from tending.workspace.models import Workspace


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
    if rule_in.match_channel_ids:
        own = set(session.scalars(select(Channel.id).where(Channel.workspace_id == workspace_id)))
        if not set(rule_in.match_channel_ids) <= own:
            raise SettingRefused("match_channel_ids: a channel is not on this workspace")


def _clean(rule_in: RoutingRuleCreate) -> dict[str, Any]:
    data = rule_in.model_dump()
    for key in ("match_topics", "match_intents", "match_languages", "match_sentiments"):
        data[key] = [v.strip() for v in data[key] if v.strip()]
    data["match_topics"] = [t.lower() for t in data["match_topics"]]
    return data


def add_rule(session: Session, *, workspace_id: int, rule_in: RoutingRuleCreate) -> RoutingRule:
    _check(session, workspace_id, rule_in)
    return create_rule(
        session, workspace_id=workspace_id, rule_in=RoutingRuleCreate.model_validate(_clean(rule_in))
    )


def update_rule(session: Session, *, rule: RoutingRule, rule_in: RoutingRuleCreate) -> list[str]:
    """Apply a whole new value; returns the names of the fields that changed."""
    _check(session, rule.workspace_id, rule_in)
    changed = apply(rule, _clean(rule_in))
    session.flush()
    return changed


def set_fallback_owner(session: Session, *, workspace: Workspace, user_id: int | None) -> None:
    check_member(session, workspace.id, user_id, "user_id")
    workspace.fallback_owner_id = user_id
    session.flush()
