"""Routing rules and the fallback owner, as dashboard forms (admins edit; everyone else reads)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.channel.service import list_for_workspace
from tending.database.core import DbSession
from tending.routing import rules
from tending.routing.models import RoutingRule, RoutingRuleCreate
from tending.settings.edit import (
    ADMIN_ONLY,
    from_form,
    may_write,
    owned,
    require_writer,
    split_list,
)
from tending.settings.pages import section_context
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.service import members_of

router = APIRouter()
WHAT = "routing rules"


def _back(slug: str) -> Response:
    return RedirectResponse(f"/w/{slug}/settings/routing", status_code=303)


@router.get("/w/{slug}/settings/routing")
def routing_page(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    members = members_of(db, workspace.id)
    return render(
        request,
        "settings/routing.html",
        principal=principal,
        rules=rules.list_rules(db, workspace_id=workspace.id),
        members=members,
        names={m.id: m.name for m in members},
        channels=list_for_workspace(db, workspace_id=workspace.id),
        can_manage=may_write(principal, ADMIN_ONLY),
        **section_context(workspace.slug, "routing"),
        **page_context(db, principal, workspace, "settings"),
    )


def rule_form(
    name: str = Form(...),
    position: int = Form(100),
    active: str | None = Form(None),
    topics: str = Form(""),
    intents: str = Form(""),
    languages: str = Form(""),
    sentiments: str = Form(""),
    channel_ids: list[int] = Form([]),
    target_member_id: str = Form(""),
    target_expertise: str = Form(""),
) -> RoutingRuleCreate:
    """The rule form as a rule; a chosen member wins over a team typed alongside it (one target)."""
    member = int(target_member_id) if target_member_id.strip().isdigit() else None
    data: dict[str, Any] = {
        "name": name,
        "position": position,
        "active": active is not None,
        "match_topics": split_list(topics),
        "match_intents": split_list(intents),
        "match_languages": split_list(languages),
        "match_sentiments": split_list(sentiments),
        "match_channel_ids": channel_ids,
        "target_member_id": member,
        "target_expertise": None if member is not None else (target_expertise.strip().lower() or None),
    }
    return from_form(RoutingRuleCreate, data)


# Declared after the principal and workspace in each route, so those are checked first.
RuleForm = Annotated[RoutingRuleCreate, Depends(rule_form)]


@router.post("/w/{slug}/settings/routing", dependencies=[CsrfChecked])
def create_rule_form(
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    rule_in: RuleForm,
) -> Response:
    require_writer(principal, ADMIN_ONLY, WHAT)
    rules.add_rule(db, workspace_id=workspace.id, rule_in=rule_in, actor_id=principal.user.id)
    return _back(workspace.slug)


@router.post("/w/{slug}/settings/routing/{rule_id}", dependencies=[CsrfChecked])
def update_rule_form(
    rule_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    rule_in: RuleForm,
) -> Response:
    require_writer(principal, ADMIN_ONLY, WHAT)
    rule = owned(db, RoutingRule, rule_id, workspace.id, "routing rule")
    rules.update_rule(db, rule=rule, rule_in=rule_in, actor_id=principal.user.id)
    return _back(workspace.slug)


@router.post("/w/{slug}/settings/routing/{rule_id}/delete", dependencies=[CsrfChecked])
def delete_rule_form(
    rule_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    require_writer(principal, ADMIN_ONLY, WHAT)
    rule = owned(db, RoutingRule, rule_id, workspace.id, "routing rule")
    rules.delete_rule(db, rule=rule, actor_id=principal.user.id)
    return _back(workspace.slug)


@router.post("/w/{slug}/settings/fallback-owner", dependencies=[CsrfChecked])
def fallback_owner_form(
    db: DbSession, principal: PagePrincipal, workspace: PageWorkspace, user_id: str = Form("")
) -> Response:
    """An empty choice clears it: the first admin, then the first member, takes what nothing else claims."""
    require_writer(principal, ADMIN_ONLY, "the fallback owner")
    owner = int(user_id) if user_id.strip().isdigit() else None
    rules.set_fallback_owner(db, workspace=workspace, user_id=owner, actor_id=principal.user.id)
    return _back(workspace.slug)
