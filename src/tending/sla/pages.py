"""SLA policies and alert destinations, as dashboard forms (admins edit; everyone else reads).

Business hours are typed like a member's working hours (`mon-fri 09:00-17:00; sat 10:00-14:00`). A
destination's URL is write-only: the form shows its host and takes a new one, or keeps the stored one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.database.core import DbSession
from tending.settings.edit import (
    ADMIN_ONLY,
    from_form,
    may_write,
    owned,
    require_writer,
)
from tending.settings.pages import section_context
from tending.sla import policies
from tending.sla.business_hours import format_hours, parse_hours
from tending.sla.models import (
    AlertDestination,
    AlertDestinationCreate,
    DestinationKind,
    SlaPolicy,
    SlaPolicyCreate,
)
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.service import members_of

router = APIRouter()


def _optional(value: str) -> str | None:
    """Empty means none; anything else is left for the model to accept or refuse."""
    return value.strip() or None


def policy_form(
    name: str = Form(...),
    priority: str = Form(""),
    first_response_hours: str = Form(...),
    resolution_hours: str = Form(""),
    business_hours: str = Form(""),
    timezone: str = Form("UTC"),
    warn_fraction: str = Form("0.75"),
    escalation_member_id: str = Form(""),
) -> SlaPolicyCreate:
    hours = parse_hours(business_hours)  # or ScheduleError: 400
    data: dict[str, Any] = {
        "name": name,
        "priority": priority.strip() or None,
        "first_response_hours": first_response_hours.strip(),
        "resolution_hours": _optional(resolution_hours),
        "business_hours": hours,
        "timezone": timezone.strip() or "UTC",
        "warn_fraction": warn_fraction.strip(),
        "escalation_member_id": int(escalation_member_id) if escalation_member_id.strip().isdigit() else None,
    }
    return from_form(SlaPolicyCreate, data)


# Declared after the principal and workspace in each route, so those are checked first.
PolicyForm = Annotated[SlaPolicyCreate, Depends(policy_form)]


@router.get("/w/{slug}/settings/sla")
def sla_page(request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace) -> Response:
    members = members_of(db, workspace.id)
    return render(
        request,
        "settings/sla.html",
        principal=principal,
        policies=policies.list_policies(db, workspace_id=workspace.id),
        members=members,
        names={m.id: m.name for m in members},
        format_hours=format_hours,
        can_manage=may_write(principal, ADMIN_ONLY),
        **section_context(workspace.slug, "sla"),
        **page_context(db, principal, workspace, "settings"),
    )


@router.post("/w/{slug}/settings/sla", dependencies=[CsrfChecked])
def create_policy_form(
    db: DbSession, principal: PagePrincipal, workspace: PageWorkspace, policy_in: PolicyForm
) -> Response:
    require_writer(principal, ADMIN_ONLY, "SLA policies")
    policies.add_policy(db, workspace_id=workspace.id, policy_in=policy_in, actor_id=principal.user.id)
    return RedirectResponse(f"/w/{workspace.slug}/settings/sla", status_code=303)


@router.post("/w/{slug}/settings/sla/{policy_id}", dependencies=[CsrfChecked])
def update_policy_form(
    policy_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    policy_in: PolicyForm,
    active: str | None = Form(None),
) -> Response:
    require_writer(principal, ADMIN_ONLY, "SLA policies")
    policy = owned(db, SlaPolicy, policy_id, workspace.id, "SLA policy")
    policies.update_policy(
        db, policy=policy, policy_in=policy_in, active=active is not None, actor_id=principal.user.id
    )
    return RedirectResponse(f"/w/{workspace.slug}/settings/sla", status_code=303)


@router.post("/w/{slug}/settings/sla/{policy_id}/delete", dependencies=[CsrfChecked])
def delete_policy_form(
    policy_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    require_writer(principal, ADMIN_ONLY, "SLA policies")
    policy = owned(db, SlaPolicy, policy_id, workspace.id, "SLA policy")
    policies.delete_policy(db, policy=policy, actor_id=principal.user.id)
    return RedirectResponse(f"/w/{workspace.slug}/settings/sla", status_code=303)


@router.get("/w/{slug}/settings/alerts")
def alerts_page(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    return render(
        request,
        "settings/alerts.html",
        principal=principal,
        destinations=[
            policies.to_read(d, settings=request.app.state.settings)
            for d in policies.list_destinations(db, workspace_id=workspace.id)
        ],
        kinds=[k.value for k in DestinationKind],
        smtp_configured=bool(request.app.state.settings.smtp_url),
        can_manage=may_write(principal, ADMIN_ONLY),
        **section_context(workspace.slug, "alerts"),
        **page_context(db, principal, workspace, "settings"),
    )


@router.post("/w/{slug}/settings/alerts", dependencies=[CsrfChecked])
def create_destination_form(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    kind: str = Form(...),
    target: str = Form(...),
) -> Response:
    require_writer(principal, ADMIN_ONLY, "alert destinations")
    dest_in = from_form(AlertDestinationCreate, {"kind": kind, "target": target.strip()})
    settings = request.app.state.settings
    policies.add_destination(
        db,
        settings=settings,
        workspace_id=workspace.id,
        destination_in=dest_in,
        actor_id=principal.user.id,
    )
    return RedirectResponse(f"/w/{workspace.slug}/settings/alerts", status_code=303)


@router.post("/w/{slug}/settings/alerts/{destination_id}", dependencies=[CsrfChecked])
def update_destination_form(
    request: Request,
    destination_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    kind: str = Form(...),
    target: str = Form(""),
    active: str | None = Form(None),
) -> Response:
    """An empty target keeps the stored one (it is never sent to the browser)."""
    require_writer(principal, ADMIN_ONLY, "alert destinations")
    dest = owned(db, AlertDestination, destination_id, workspace.id, "alert destination")
    settings = request.app.state.settings
    stored = policies.destination_target(settings, dest)
    dest_in = from_form(AlertDestinationCreate, {"kind": kind, "target": target.strip() or stored})
    policies.update_destination(
        db,
        settings=settings,
        destination=dest,
        destination_in=dest_in,
        active=active is not None,
        actor_id=principal.user.id,
    )
    return RedirectResponse(f"/w/{workspace.slug}/settings/alerts", status_code=303)


@router.post("/w/{slug}/settings/alerts/{destination_id}/delete", dependencies=[CsrfChecked])
def delete_destination_form(
    request: Request, destination_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    require_writer(principal, ADMIN_ONLY, "alert destinations")
    dest = owned(db, AlertDestination, destination_id, workspace.id, "alert destination")
    policies.delete_destination(
        db, settings=request.app.state.settings, destination=dest, actor_id=principal.user.id
    )
    return RedirectResponse(f"/w/{workspace.slug}/settings/alerts", status_code=303)
