"""A channel whose credentials the network refused (expired or revoked token, Meta error 190, HTTP 401,
`invalid_grant`): it is marked "reconnect needed", one alert says so, and polling waits until a person
updates the credentials, instead of failing every few minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tending.alerts.models import IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.channel.models import Channel, ChannelStatus
from tending.database.core import utcnow


def mark_reconnect_needed(
    session: Session, *, channel: Channel, reason: str, now: datetime | None = None
) -> bool:
    """Mark the channel and raise its alert; True when this call changed it (a channel already waiting
    for new credentials raises no second alert). Flushes; the caller commits."""
    now = now or utcnow()
    channel.last_error = reason[:2000]  # the connector's words already end with what to do
    channel.last_polled_at = now
    if channel.status == ChannelStatus.reconnect_needed.value:
        session.flush()
        return False
    channel.status = ChannelStatus.reconnect_needed.value
    record_alerts(
        session,
        workspace_id=channel.workspace_id,
        signals=[
            AlertSignal(
                kind=IncidentKind.reconnect_needed,
                at=now,
                title=f"{channel.name} ({channel.network_label}) needs reconnecting",
                summary=reason[:500],
                channel_id=channel.id,
                evidence={"network": channel.network},
            )
        ],
    )
    return True
