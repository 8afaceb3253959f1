"""Channels: their health against cadence targets, connection state, and connecting a new one."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from tending.audit.service import record
from tending.auth.deps import BrandPagePrincipal, CsrfChecked, PagePrincipal
from tending.auth.models import Role
from tending.cadence.models import ChannelAlert
from tending.cadence.service import channel_health, set_target
from tending.channel import service
from tending.channel.expiry import reconnect_notices
from tending.channel.models import Channel, ChannelCreate
from tending.community.vitality import latest_vitality
from tending.connectors.registry import UnknownNetwork, offered
from tending.database.core import DbSession, utcnow
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
    try:
        cfg = orjson.loads(config or "{}")
        creds = orjson.loads(credentials) if credentials.strip() else None
        if not isinstance(cfg, dict) or (creds is not None and not isinstance(creds, dict)):
            raise ValueError("configuration and credentials are JSON objects")
        channel = service.create(
            db,
            settings=request.app.state.settings,
            workspace_id=workspace.id,
            channel_in=ChannelCreate(
                network=network,
                name=name,
                handle=handle,
                external_id=external_id,
                config=cfg,
                credentials={k: str(v) for k, v in (creds or {}).items()} or None,
            ),
        )
    except service.DuplicateChannel as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"channel not connected: {exc}") from None
    except (orjson.JSONDecodeError, ValueError, UnknownNetwork) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"channel not connected: {exc}") from None
    record(
        db,
        workspace_id=workspace.id,
        actor_id=principal.user.id,
        action="channel.create",
        target_type="channel",
        target_id=channel.id,
        detail={"network": network},
    )
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
