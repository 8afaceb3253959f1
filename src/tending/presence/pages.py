"""The thread page's heartbeat: report that this person has the item open, hear who else has, and
whether the brand replied since the page was shown. Thin: the service keeps presence and the rule."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.database.core import DbSession, utcnow
from tending.presence import service
from tending.presence.deps import PageConversation
from tending.templating import render
from tending.workspace.pages import PageWorkspace

router = APIRouter()


@router.post("/w/{slug}/inbox/{conversation_id}/presence", dependencies=[CsrfChecked])
def heartbeat(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    conversation: PageConversation,
    text: str = Form(""),
    seen_up_to: int = Form(0),
) -> Response:
    now = utcnow()
    service.touch(db, conversation=conversation, user=principal.user, now=now, writing=bool(text.strip()))
    return render(
        request,
        "inbox/_presence_body.html",
        principal=principal,
        workspace=workspace,
        others=service.others_on(db, conversation_id=conversation.id, user_id=principal.user.id, now=now),
        newer=service.replies_since(db, conversation_id=conversation.id, after_id=seen_up_to),
    )
