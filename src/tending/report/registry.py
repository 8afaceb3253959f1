"""The reports the dashboard, CLI and mail know, and how a date range is read for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from tending import moments
from tending.errors import Refused
from tending.report import audit, campaign, digest, responses
from tending.report.framework import ReportData
from tending.workspace.models import Workspace


class ReportInputError(Refused, ValueError):
    """A date or identifier the caller gave cannot be used; the message names the field."""

    status_code = 422


@dataclass(frozen=True)
class ReportKind:
    key: str
    title: str
    description: str
    default_days: int
    build: Callable[..., ReportData]
    needs_campaign: bool = False


REPORTS: dict[str, ReportKind] = {
    r.key: r
    for r in (
        ReportKind(
            "responses",
            "Responses",
            "Response rate, first-response times, what waits and when.",
            30,
            responses.build,
        ),
        ReportKind(
            "campaign",
            "Campaign",
            "KPIs against target, scenarios that fired, lift.",
            30,
            campaign.build,
            needs_campaign=True,
        ),
        ReportKind(
            "audit",
            "Agency audit",
            "What was delivered, and whether the audience growth is real.",
            30,
            audit.build,
        ),
        ReportKind(
            "digest",
            "Weekly digest",
            "Channels at risk, retirements, waiting, alert incidents.",
            7,
            digest.build,
        ),
    )
}


def parse_day(value: str | None, field: str) -> date | None:
    try:
        return moments.parse_day(value, field)
    except moments.MomentError as exc:
        raise ReportInputError(str(exc)) from None


def parse_moment(value: str | None, field: str) -> datetime | None:
    try:
        return moments.parse_moment(value, field)
    except moments.MomentError as exc:
        raise ReportInputError(str(exc)) from None


def period(
    workspace: Workspace, *, since: str | None, until: str | None, default_days: int, now: datetime
) -> tuple[datetime, datetime]:
    """Days in the workspace's time zone; `until` is the first day not included. Default: the last N days."""
    zone = ZoneInfo(workspace.timezone)
    first, last = parse_day(since, "since"), parse_day(until, "until")
    end = datetime.combine(last, time(0), tzinfo=zone) if last else now
    start = datetime.combine(first, time(0), tzinfo=zone) if first else end - timedelta(days=default_days)
    if end <= start:
        raise ReportInputError("until: must be after since")
    return start, end


def build_report(
    session: Session,
    *,
    kind: str,
    workspace: Workspace,
    since: datetime | None,
    until: datetime | None,
    now: datetime,
    campaign_id: int | None = None,
) -> ReportData:
    spec = REPORTS.get(kind)
    if spec is None:
        raise ReportInputError(f"report: unknown report {kind!r} (one of {', '.join(REPORTS)})")
    if spec.needs_campaign:
        if campaign_id is None:
            raise ReportInputError("campaign: a campaign id is required")
        return spec.build(
            session, workspace=workspace, campaign_id=campaign_id, since=since, until=until, now=now
        )
    if since is None or until is None:
        since, until = period(workspace, since=None, until=None, default_days=spec.default_days, now=now)
    return spec.build(session, workspace=workspace, since=since, until=until, now=now)
