"""Dated warnings on the channel page before a channel's access runs out and a person must reconnect it.

Where the connector renews its own access (a refresh token), the warning comes before the refresh
token's end; otherwise before the access token's (`expires_at` in the credentials, kept up to date by
the renewals and entered at connection for tokens that cannot renew, such as a LinkedIn token without
a refresh token).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from tending.channel.crypto import CredentialsUnreadable
from tending.channel.models import Channel
from tending.channel.service import ConfigRefused, build_connector
from tending.config import Settings
from tending.connectors.bases.renewal import Renewing
from tending.connectors.registry import UnknownNetwork

log = logging.getLogger(__name__)

WARN_AHEAD = timedelta(days=14)


def reconnect_notice(channel: Channel, *, settings: Settings, now: datetime) -> str | None:
    """A warning within 14 days of the end ("expires in N days (<date>)"), "expired on" after it."""
    if not channel.credentials_encrypted:
        return None
    try:
        connector = build_connector(channel, settings=settings)
    except (CredentialsUnreadable, ConfigRefused, UnknownNetwork) as exc:
        log.info("channel %s: no expiry notice (%s)", channel.id, exc)
        return None
    try:
        ends = connector.reconnect_by() if isinstance(connector, Renewing) else None
    finally:
        connector.close()
    if ends is None or ends - now > WARN_AHEAD:
        return None
    day = f"{ends:%d %b %Y}"
    if ends <= now:
        return f"Access expired on {day}: reconnect the channel."
    days = max((ends - now).days, 0)
    when = "today" if days == 0 else ("in 1 day" if days == 1 else f"in {days} days")
    return f"Access expires {when} ({day}): reconnect the channel before then."


def reconnect_notices(channels: Iterable[Channel], *, settings: Settings, now: datetime) -> dict[int, str]:
    return {
        channel.id: notice
        for channel in channels
        if (notice := reconnect_notice(channel, settings=settings, now=now)) is not None
    }
