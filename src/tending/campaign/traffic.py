"""Which stored messages belong to a campaign: on its channels, inside its period, carrying one of its
hashtags, links or keywords (case-insensitive substring)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from tending.campaign.models import Campaign
from tending.inbox.models import Message


def campaign_period(campaign: Campaign) -> tuple[datetime | None, datetime | None]:
    """Start and end of the campaign's traffic window; no start while it is neither planned nor launched."""
    starts = [t for t in (campaign.starts_at, campaign.launched_at) if t is not None]
    return (min(starts) if starts else None), campaign.ends_at


def identifier_condition(terms: list[str]) -> ColumnElement[bool]:
    """Text contains any of the terms, ignoring case, with LIKE wildcards in the terms escaped."""
    cleaned = sorted({t.strip().lower() for t in terms if t and t.strip()})
    if not cleaned:
        return false()
    lowered = func.lower(Message.text)
    return or_(*(lowered.contains(t, autoescape=True) for t in cleaned))


def traffic_conditions(
    campaign: Campaign,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    with_identifiers: bool = True,
) -> list[ColumnElement[bool]]:
    """WHERE clauses selecting the campaign's messages; reused by counts and time series."""
    start, end = campaign_period(campaign)
    channel_ids = [c.id for c in campaign.channels]
    if start is None or not channel_ids:
        return [false()]
    lower = max(start, since) if since is not None else start
    upper = min(end, until) if (end is not None and until is not None) else (until or end)
    conds: list[ColumnElement[bool]] = [
        Message.workspace_id == campaign.workspace_id,
        Message.channel_id.in_(channel_ids),
        Message.created_at >= lower,
    ]
    if upper is not None:
        conds.append(Message.created_at < upper)
    if with_identifiers:
        conds.append(identifier_condition(campaign.identifiers))
    return conds


def campaign_messages(
    session: Session,
    *,
    campaign: Campaign,
    direction: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Message]:
    """The campaign's traffic in time order (optionally one direction, optionally a sub-window)."""
    stmt = select(Message).where(*traffic_conditions(campaign, since=since, until=until))
    if direction is not None:
        stmt = stmt.where(Message.direction == direction)
    return list(session.scalars(stmt.order_by(Message.created_at, Message.id)))
