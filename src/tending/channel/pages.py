"""Channels: their health against cadence targets, connection state, and connecting a new one."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from tending.audit.service import record
from tending.auth.deps import BrandPagePrincipal, CsrfChecked, PagePrincipal
from tending.auth.models import Role
from tending.cadence.models import ChannelAlert
from tending.cadence.service import channel_health, set_target
from tending.channel import service
from tending.channel.expiry import reconnect_notices
from tending.channel.models import Channel, ChannelCreate, ChannelCredentials
from tending.community.vitality import latest_vitality
from tending.connectors.registry import offered
from tending.database.core import DbSession, utcnow
from tending.errors import Refused
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context

router = APIRouter()
NAV = [(40, "channels", "Channels", "/channels")]


@router.get("/w/{slug}/channels")
def channels_page(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    channels = service.list_for_workspace(db, workspace_id=workspace.id)
    now = utcnow()
    health = {h.channel_id: h for h in channel_health(db, workspace_id=workspace.id, now=now)}
    vitality = {v.channel_id: v for v in latest_vitality(db, workspace_id=workspace.id, now=now)}
    alerts = list(
        db.scalars(
            select(ChannelAlert)
            .where(ChannelAlert.workspace_id == workspace.id)
            .order_by(ChannelAlert.created_at.desc())
            .limit(30)
        )
    )
    return render(
        request,
        "channel/list.html",
        principal=principal,
        channels=channels,
        health=health,
        alerts=alerts,
        vitality=vitality,
        reconnect_notices=reconnect_notices(channels, settings=request.app.state.settings, now=now),
        networks=sorted(offered(request.app.state.settings)),
        can_manage=principal.user.role != Role.agency.value,
        **page_context(db, principal, workspace, "channels"),
    )


def _json_object(text: str, *, field: str) -> dict[str, Any]:
    """A form field holding a JSON object; `Refused` naming the field otherwise."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise Refused(f"channel not connected: {field}: not JSON ({exc})") from None
    if not isinstance(value, dict):
        raise Refused(f"channel not connected: {field}: a JSON object {{...}} is expected")
    return value


@router.post("/w/{slug}/channels", dependencies=[CsrfChecked])
def connect_channel(
    request: Request,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    network: str = Form(...),
    name: str = Form(..., min_length=1, max_length=200),
    external_id: str = Form(...),
    handle: str = Form(""),
    config: str = Form("{}"),
    credentials: str = Form(""),
) -> Response:
    credentials_in = _json_object(credentials.strip() or "{}", field="credentials")
    channel_in = ChannelCreate(  # or ValidationError: the page names the field
        network=network,
        name=name,
        handle=handle,
        external_id=external_id,
        config=_json_object(config or "{}", field="configuration"),
        credentials={k: str(v) for k, v in credentials_in.items()} or None,
    )
    service.connect(
        db,
        settings=request.app.state.settings,
        workspace_id=workspace.id,
        actor_id=principal.user.id,
        channel_in=channel_in,
    )
    return RedirectResponse(f"/w/{workspace.slug}/channels", status_code=303)


@router.post("/w/{slug}/channels/{channel_id}/credentials", dependencies=[CsrfChecked])
def credentials_form(
    request: Request,
    channel_id: int,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    credentials: str = Form(..., min_length=2),
) -> Response:
    """Reconnect a channel from the list: new credentials (JSON), and polling resumes."""
    channel = db.get(Channel, channel_id)
    if channel is None or channel.workspace_id != workspace.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "channel not found")
    try:
        fresh = ChannelCredentials.model_validate({"credentials": orjson.loads(credentials)}).credentials
    except (orjson.JSONDecodeError, ValidationError):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "credentials not saved: give a JSON object of text fields"
        ) from None
    settings, actor_id = request.app.state.settings, principal.user.id
    service.set_credentials(db, settings=settings, channel=channel, credentials=fresh, actor_id=actor_id)
    return RedirectResponse(f"/w/{workspace.slug}/channels", status_code=303)


@router.post("/w/{slug}/channels/{channel_id}/cadence", dependencies=[CsrfChecked])
def cadence_form(
    channel_id: int,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    posts_per_week: float = Form(..., ge=0, le=200),
    max_days_silent: int = Form(..., ge=1, le=365),
    reply_within_hours: float = Form(..., gt=0, le=720),
) -> Response:
    channel = db.get(Channel, channel_id)
    if channel is None or channel.workspace_id != workspace.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "channel not found")
    set_target(
        db,
        channel=channel,
        posts_per_week=posts_per_week,
        max_days_silent=max_days_silent,
        reply_within_hours=reply_within_hours,
    )
    record(
        db,
        workspace_id=workspace.id,
        actor_id=principal.user.id,
        action="channel.cadence",
        target_type="channel",
        target_id=channel.id,
        detail={"posts_per_week": posts_per_week, "max_days_silent": max_days_silent},
    )
    return RedirectResponse(f"/w/{workspace.slug}/channels", status_code=303)
