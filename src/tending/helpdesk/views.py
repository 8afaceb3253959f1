"""The helpdesk over the API: its settings, "create a case", and the status webhook the helpdesk calls."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tending.auth.deps import BrandPrincipal, CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession
from tending.errors import NotFound
from tending.helpdesk import service
from tending.helpdesk.deps import AppSettings, CurrentConversation
from tending.helpdesk.models import CaseRead, HelpdeskIn, HelpdeskRead

router = APIRouter(tags=["helpdesk"])


def thread_link(request: Request, slug: str, conversation_id: int) -> str:
    """The thread's address on this install, for the agent who opens the case."""
    return str(request.base_url).rstrip("/") + f"/w/{slug}/inbox/{conversation_id}"


@router.put("/workspaces/{workspace_id}/helpdesk", response_model=HelpdeskRead, dependencies=[CsrfChecked])
def configure(
    settings: AppSettings,
    workspace: CurrentWorkspace,
    principal: BrandPrincipal,
    db: DbSession,
    body: HelpdeskIn,
) -> HelpdeskRead:
    connection = service.configure(
        db, workspace_id=workspace.id, data=body, settings=settings, actor=principal.user
    )
    return HelpdeskRead.model_validate(connection)


@router.post(
    "/workspaces/{workspace_id}/conversations/{conversation_id}/case",
    response_model=CaseRead,
    dependencies=[CsrfChecked],
)
def create_case(
    settings: AppSettings,
    request: Request,
    workspace: CurrentWorkspace,
    conversation: CurrentConversation,
    principal: CurrentPrincipal,
    db: DbSession,
) -> CaseRead:
    case = service.create_case(
        db,
        conversation=conversation,
        actor=principal.user,
        settings=settings,
        link=thread_link(request, workspace.slug, conversation.id),
    )
    return CaseRead.model_validate(case)


@router.get("/workspaces/{workspace_id}/conversations/{conversation_id}/case", response_model=CaseRead)
def get_case(conversation: CurrentConversation, db: DbSession) -> CaseRead:
    case = service.case_for(db, conversation_id=conversation.id)
    if case is None:
        raise NotFound("this conversation has no case")
    return CaseRead.model_validate(case)


@router.post("/helpdesk/{workspace_id}/status", response_model=CaseRead)
async def status_report(
    settings: AppSettings, workspace_id: int, request: Request, db: DbSession
) -> CaseRead:
    """Called by the helpdesk, not a person: no session, the signature is the authentication."""
    body = await request.body()
    case = service.record_status(
        db, workspace_id=workspace_id, headers=dict(request.headers), body=body, settings=settings
    )
    return CaseRead.model_validate(case)
