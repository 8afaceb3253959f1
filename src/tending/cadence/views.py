"""Cadence targets and channel health over the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from tending.auth.deps import BrandPrincipal, CsrfChecked, CurrentWorkspace
from tending.cadence import service
from tending.cadence.models import CadenceTargetSet, ChannelAlert, ChannelAlertRead
from tending.channel.models import Channel
from tending.database.core import DbSession, utcnow
from tending.moments import Moment

router = APIRouter(tags=["cadence"])


@router.put("/workspaces/{workspace_id}/channels/{channel_id}/cadence", dependencies=[CsrfChecked])
def put_target(
    workspace: CurrentWorkspace,
    channel_id: int,
    body: CadenceTargetSet,
    db: DbSession,
    principal: BrandPrincipal,
) -> dict[str, Any]:
    channel = db.get(Channel, channel_id)
    if channel is None or channel.workspace_id != workspace.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "channel not found")
    t = service.set_target(db, channel=channel, **body.model_dump())
    return {
        "channel_id": channel.id,
        "posts_per_week": t.posts_per_week,
        "max_days_silent": t.max_days_silent,
        "reply_within_hours": t.reply_within_hours,
    }


@router.get("/workspaces/{workspace_id}/channel-health")
def health(workspace: CurrentWorkspace, db: DbSession, at: Moment | None = None) -> list[dict[str, Any]]:
    rows = service.channel_health(db, workspace_id=workspace.id, now=at or utcnow())
    return [
        {
            "channel_id": h.channel_id,
            "name": h.name,
            "posts_last_7_days": h.posts_last_7_days,
            "last_post_at": h.last_post_at,
            "days_silent": h.days_silent,
            "unanswered_overdue": h.unanswered_overdue,
            "at_risk": h.at_risk,
            "problems": h.problems,
        }
        for h in rows
    ]


@router.get("/workspaces/{workspace_id}/channel-alerts", response_model=list[ChannelAlertRead])
def alerts(workspace: CurrentWorkspace, db: DbSession) -> list[ChannelAlertRead]:
    rows = db.scalars(
        select(ChannelAlert)
        .where(ChannelAlert.workspace_id == workspace.id)
        .order_by(ChannelAlert.created_at.desc())
        .limit(200)
    )
    return [ChannelAlertRead.model_validate(r) for r in rows]
