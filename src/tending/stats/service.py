"""Maintaining and reading the daily counts. Increments are atomic upserts, so concurrent workers add up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.database.dialect import upsert_insert
from tending.stats.models import ChannelDay

FIELDS = ("inbound", "outbound", "negative", "positive")


def _bump(session: Session, workspace_id: int, counts: Counter[tuple[int, str, str]]) -> None:
    if not counts:
        return
    rows: dict[tuple[int, str], dict[str, int]] = {}
    for (channel_id, day, field), n in counts.items():
        rows.setdefault((channel_id, day), dict.fromkeys(FIELDS, 0))[field] += n
    table = ChannelDay.__table__
    stmt = upsert_insert(session, table)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(
        index_elements=["channel_id", "day"],
        set_={f: getattr(table.c, f) + getattr(stmt.excluded, f) for f in FIELDS},
    )
    session.execute(
        stmt,
        [
            {"workspace_id": workspace_id, "channel_id": ch, "day": day, **values}
            for (ch, day), values in sorted(rows.items())
        ],
    )


def _day(at: datetime) -> str:
    return at.astimezone(UTC).date().isoformat()


def count_new_messages(
    session: Session, *, workspace_id: int, channel_id: int, items: Iterable[tuple[datetime, str]]
) -> None:
    """Add newly stored messages (created_at, direction) to the daily counts."""
    count_new_days(
        session,
        workspace_id=workspace_id,
        channel_id=channel_id,
        days=((_day(at), direction) for at, direction in items),
    )


def count_new_days(
    session: Session, *, workspace_id: int, channel_id: int, days: Iterable[tuple[str, str]]
) -> None:
    """The same from (UTC day as YYYY-MM-DD, direction) pairs, for callers that already have the day."""
    counts: Counter[tuple[int, str, str]] = Counter(
        (channel_id, day, "inbound" if direction == "inbound" else "outbound") for day, direction in days
    )
    _bump(session, workspace_id, counts)


def count_sentiment_rows(session: Session, *, rows: Iterable[tuple[int, int, datetime, str | None]]) -> None:
    """Add triaged messages given as (workspace_id, channel_id, created_at, sentiment), e.g. what an
    UPDATE ... RETURNING gave back: no second read of the messages. Neutral ones are not counted."""
    by_ws: dict[int, Counter[tuple[int, str, str]]] = {}
    for ws, ch, at, sentiment in rows:
        if sentiment in ("negative", "positive"):
            by_ws.setdefault(ws, Counter())[(ch, _day(at), str(sentiment))] += 1
    for ws, counts in by_ws.items():
        _bump(session, ws, counts)


def daily(
    session: Session, *, workspace_id: int, since: datetime, until: datetime, channel_id: int | None = None
) -> dict[str, dict[str, int]]:
    """Counts per UTC day between two times (days with nothing are absent)."""
    stmt = select(ChannelDay).where(
        ChannelDay.workspace_id == workspace_id, ChannelDay.day >= _day(since), ChannelDay.day <= _day(until)
    )
    if channel_id is not None:
        stmt = stmt.where(ChannelDay.channel_id == channel_id)
    out: dict[str, dict[str, int]] = {}
    for row in session.scalars(stmt):
        day = out.setdefault(row.day, dict.fromkeys(FIELDS, 0))
        for f in FIELDS:
            day[f] += getattr(row, f)
    return out
