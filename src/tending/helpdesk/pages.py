"""The helpdesk on the dashboard: the thread's case panel (loaded into the thread page by htmx) and the
workspace's helpdesk settings. Thin: the service sends, stores and audits."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tending.auth.deps import BrandPagePrincipal, CsrfChecked, PagePrincipal
from tending.database.core import DbSession
from tending.errors import DomainError
from tending.helpdesk import service
from tending.helpdesk.deps import AppSettings, PageConversation
from tending.helpdesk.models import HelpdeskIn, HelpdeskKind
from tending.helpdesk.views import thread_link
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context

router = APIRouter()


def _panel(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    conversation_id: int,
    problem: str = "",
) -> Response:
    return render(
        request,
        "helpdesk/_panel.html",
        principal=principal,
        workspace=workspace,
        conversation_id=conversation_id,
        case=service.case_for(db, conversation_id=conversation_id),
        connection=service.get_connection(db, workspace_id=workspace.id),
        problem=problem,
    )


@router.get("/w/{slug}/inbox/{conversation_id}/case")
def case_panel(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    conversation: PageConversation,
) -> Response:
    return _panel(request, db, principal, workspace, conversation.id)


@router.post("/w/{slug}/inbox/{conversation_id}/case", dependencies=[CsrfChecked])
def create_case_page(
    settings: AppSettings,
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    conversation: PageConversation,
) -> Response:
    """Answers the panel itself (htmx swaps it in place); a refusal shows in the panel, nothing is lost."""
    try:
        service.create_case(
            db,
            conversation=conversation,
            actor=principal.user,
            settings=settings,
            link=thread_link(request, workspace.slug, conversation.id),
        )
    except DomainError as exc:
        return _panel(request, db, principal, workspace, conversation.id, problem=str(exc))
    db.commit()  # the case is stored before the panel shows it: a reload must find it
    return _panel(request, db, principal, workspace, conversation.id)


@router.get("/w/{slug}/settings/helpdesk")
def helpdesk_settings(
    request: Request, db: DbSession, workspace: PageWorkspace, principal: BrandPagePrincipal, saved: int = 0
) -> Response:
    return render(
        request,
        "helpdesk/settings.html",
        principal=principal,
        connection=service.get_connection(db, workspace_id=workspace.id),
        kinds=list(HelpdeskKind),
        saved=bool(saved),
        status_url=str(request.base_url).rstrip("/") + f"/api/v1/helpdesk/{workspace.id}/status",
        **page_context(db, principal, workspace, "settings"),
    )


@router.post("/w/{slug}/settings/helpdesk", dependencies=[CsrfChecked])
def save_helpdesk(
    settings: AppSettings,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    kind: HelpdeskKind = Form(...),
    base_url: str = Form(..., max_length=500),
    account: str = Form("", max_length=200),
    api_token: str = Form("", max_length=500),
    signing_secret: str = Form("", max_length=500),
    webhook_secret: str = Form("", max_length=500),
) -> RedirectResponse:
    data = HelpdeskIn(
        kind=kind,
        base_url=base_url,
        account=account,
        api_token=api_token,
        signing_secret=signing_secret,
        webhook_secret=webhook_secret,
    )
    service.configure(db, workspace_id=workspace.id, data=data, settings=settings, actor=principal.user)
    db.commit()  # before the redirect: the next request must see the change
    return RedirectResponse(f"/w/{workspace.slug}/settings/helpdesk?saved=1", status_code=303)
