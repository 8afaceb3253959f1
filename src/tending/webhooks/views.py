"""Webhook endpoints: no login (Meta calls them); each request proves itself with the app's secrets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse

from tending.webhooks import service

router = APIRouter(tags=["webhooks"])


@router.get("/webhooks/meta", response_class=PlainTextResponse)
def meta_handshake(
    request: Request,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> str:
    """Meta's subscription check: echo `hub.challenge` when the verify token matches."""
    return service.answer_handshake(request.app.state.settings, mode=mode, token=token, challenge=challenge)


@router.post("/webhooks/meta", status_code=200)
async def meta_notification(
    request: Request,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
) -> dict[str, str]:
    """A signed notification is queued and answered at once; the task stores it."""
    from tending.webhooks.tasks import meta_notification_task

    payload = service.check_notification(
        request.app.state.settings, body=await request.body(), signature=signature
    )
    meta_notification_task(payload)
    return {"status": "queued"}
