"""The alerts inbox on the dashboard: incidents to acknowledge and resolve, each with its evidence and
the messages behind it. Thin: the service groups, acts and audits."""

from __future__ import annotations

import contextlib
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tending.alerts import service
from tending.alerts.deps import PageIncident
from tending.alerts.models import IncidentAction, IncidentState
from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.database.core import DbSession, utcnow
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context

router = APIRouter()
NAV = [(10, "alerts", "Alerts", "/alerts")]
PAGE_SIZE = 25  # a screenful on a laptop; more is paging, not reading
LIST_EVIDENCE = 5  # lines per incident on the list; the incident's page shows all it keeps
# What the list shows for `?state=`: unresolved by default, since that is what asks for a person.
STATE_FILTERS: dict[str, tuple[IncidentState, ...]] = {
    "unresolved": (IncidentState.open, IncidentState.acknowledged),
    "open": (IncidentState.open,),
    "acknowledged": (IncidentState.acknowledged,),
    "resolved": (IncidentState.resolved,),
    "all": (),
}


@router.get("/w/{slug}/alerts")
def alerts_page(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    state: str = "unresolved",
    page: int = 1,
) -> Response:
    state = state if state in STATE_FILTERS else "unresolved"
    page = max(page, 1)
    incidents, total = service.list_incidents(
        db,
        workspace_id=workspace.id,
        states=STATE_FILTERS[state],
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        by_attention=state != "all" and state != "resolved",
    )
    return render(
        request,
        "alerts/list.html",
        principal=principal,
        rows=service.describe(db, workspace, incidents, evidence=LIST_EVIDENCE),
        total=total,
        counts=service.count_by_state(db, workspace_id=workspace.id),
        state=state,
        states=list(STATE_FILTERS),
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        **page_context(db, principal, workspace, "alerts"),
    )


@router.get("/w/{slug}/alerts/{incident_id}")
def incident_page(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    incident: PageIncident,
) -> Response:
    tz = ZoneInfo(workspace.timezone or "UTC")
    messages = [
        {"m": m, "channel": channel_name, "at": m.created_at.astimezone(tz)}
        for m, channel_name in service.linked_messages(db, incident=incident)
    ]
    conversations = service.linked_conversations(db, incident=incident)
    return render(
        request,
        "alerts/detail.html",
        principal=principal,
        row=service.describe(db, workspace, [incident])[0],
        messages=messages,
        conversations=conversations,
        **page_context(db, principal, workspace, "alerts"),
    )


def _back(slug: str, next_url: str) -> RedirectResponse:
    """Back where the person acted (the list, the overview, the incident), never off the workspace."""
    prefix = f"/w/{slug}/"
    target = next_url if next_url.startswith(prefix) and "//" not in next_url[1:] else f"/w/{slug}/alerts"
    return RedirectResponse(target, status_code=303)


@router.post("/w/{slug}/alerts/{incident_id}/{action}", dependencies=[CsrfChecked])
def act_page(
    action: IncidentAction,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    incident: PageIncident,
    next_url: str = Form("", alias="next"),
    note: str = Form("", max_length=500),
) -> RedirectResponse:
    # Someone else acting first is no error for this person: the page they land on shows who did.
    with contextlib.suppress(service.IncidentStateError):
        service.act(db, incident=incident, action=action, actor=principal.user, now=utcnow(), note=note)
    return _back(workspace.slug, next_url)
