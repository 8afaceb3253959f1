"""Polling a channel: fetch pages after the stored cursor, store each page with its cursor in one commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tending.channel.connection import mark_reconnect_needed
from tending.channel.models import Channel, ChannelStatus
from tending.channel.service import ConfigRefused, build_connector
from tending.config import Settings
from tending.connectors.bases import (
    ApiVersionRefused,
    AuthExpired,
    Connector,
    ConnectorError,
    ListenCapability,
    NotPermitted,
)
from tending.database.core import utcnow
from tending.ingest.service import IngestCache, IngestStats, ingest_items, lock_channel

log = logging.getLogger(__name__)


class ChannelNotListening(RuntimeError):
    pass


@dataclass
class PollOutcome:
    channel_id: int
    pages: int = 0
    stats: IngestStats = field(default_factory=IngestStats)
    error: str | None = None
    retry_after: float | None = None
    superseded: bool = False
    reconnect_needed: bool = False


def poll_channel(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    channel_id: int,
    max_pages: int = 50,
    connector_factory: Callable[[Channel], Connector] | None = None,
    on_batch: Callable[[IngestStats], None] | None = None,
) -> PollOutcome:
    """Fetch and store new items. A failure keeps every page stored before it, with its cursor.

    Refused credentials mark the channel "reconnect needed" (one alert; polling waits for new ones); a
    permission or API-version refusal stops it with a message a person can act on; retryable errors
    (rate limits, 5xx, malformed answers) are returned with a suggested delay for the caller's retry.
    """
    outcome = PollOutcome(channel_id=channel_id)
    cache = IngestCache()
    with factory() as session:
        channel = session.get(Channel, channel_id)
        if channel is None:
            raise ChannelNotListening(f"channel {channel_id} does not exist")
        try:
            connector = (
                connector_factory(channel)
                if connector_factory
                else build_connector(channel, settings=settings)
            )
        except ConfigRefused as exc:
            session.rollback()
            outcome.error = f"the channel's configuration is refused: {exc} — fix the channel"
            _mark_error(session, channel_id, outcome.error, status=ChannelStatus.error)
            log.warning("polling channel %s stopped: %s", channel_id, outcome.error)
            return outcome
        if not isinstance(connector, ListenCapability):
            raise ChannelNotListening(f"the {channel.network} connector cannot listen")
        try:
            for _ in range(max_pages):
                used = dict(channel.cursor or {})
                result = connector.fetch_since(used)
                if not _still_at(session, channel_id, used):
                    # Another consumer polled this channel meanwhile and moved the cursor on: writing ours
                    # would move it back. Its poll carries on from there; this one stops.
                    session.rollback()
                    outcome.superseded = True
                    break
                stats = ingest_items(session, channel=channel, items=result.items, cache=cache)
                channel.cursor = result.cursor
                channel.last_polled_at = utcnow()
                channel.status = ChannelStatus.active.value
                channel.last_error = _set_aside_note(channel_id, stats)
                session.commit()  # the page and its cursor land together
                outcome.pages += 1
                outcome.stats.add(stats)
                if on_batch:
                    on_batch(stats)
                if not result.has_more:
                    break
        except AuthExpired as exc:
            session.rollback()
            _reconnect_needed(session, channel_id, str(exc))
            outcome.error = str(exc)
            outcome.reconnect_needed = True
        except NotPermitted as exc:
            session.rollback()
            _mark_error(
                session, channel_id, f"{exc} — fix the account's permissions", status=ChannelStatus.error
            )
            outcome.error = str(exc)
        except ApiVersionRefused as exc:
            # No retry helps: the install (or the channel) names a version the network no longer serves.
            session.rollback()
            _mark_error(
                session, channel_id, f"{exc} — then set the channel active", status=ChannelStatus.error
            )
            outcome.error = str(exc)
        except ConnectorError as exc:
            session.rollback()
            _mark_error(session, channel_id, str(exc), status=ChannelStatus.active)
            outcome.error = str(exc)
            outcome.retry_after = float(getattr(exc, "retry_after", 60.0))
        finally:
            connector.close()
    if outcome.error:
        log.warning("polling channel %s stopped: %s", channel_id, outcome.error)
    return outcome


def _set_aside_note(channel_id: int, stats: IngestStats) -> str | None:
    """Items a page carried that could not be stored: logged by network id, and noted on the channel
    (the cursor moves past them, so the channel keeps listening)."""
    if not stats.set_aside:
        return None
    for aside in stats.set_aside:
        log.warning("channel %s: item set aside, %s", channel_id, aside.describe())
    first = stats.set_aside[0].describe()
    return f"{len(stats.set_aside)} item(s) set aside on the last page; first: {first}"[:1000]


def _still_at(session: Session, channel_id: int, cursor: dict[str, object]) -> bool:
    """Lock the channel row (held until the page is committed) and check its cursor is the one we used."""
    lock_channel(session, channel_id)
    current = session.scalar(select(Channel.cursor).where(Channel.id == channel_id))
    return dict(current or {}) == cursor


def _reconnect_needed(session: Session, channel_id: int, reason: str) -> None:
    channel = session.get(Channel, channel_id)
    if channel is not None:
        mark_reconnect_needed(session, channel=channel, reason=reason)
        session.commit()


def _mark_error(session: Session, channel_id: int, message: str, *, status: ChannelStatus) -> None:
    channel = session.get(Channel, channel_id)
    if channel is not None:
        channel.last_error = message
        channel.status = status.value
        channel.last_polled_at = utcnow()
        session.commit()
