"""`tending report responses`: response-time figures for a period."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tending.report.cli import attach, report_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tending.workspace.models import Workspace


class ReportFormat(enum.StrEnum):
    json = "json"
    csv = "csv"
    html = "html"


def _parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}", param_hint=option) from exc


def _pick_workspace(session: Session, slug: str | None) -> Workspace:
    from sqlalchemy import select

    from tending.workspace.models import Workspace

    if slug:
        ws = session.scalar(select(Workspace).where(Workspace.slug == slug))
        if ws is None:
            raise typer.BadParameter(f"no workspace {slug!r}", param_hint="--workspace")
        return ws
    all_ws = list(session.scalars(select(Workspace).order_by(Workspace.slug)))
    if len(all_ws) == 1:
        return all_ws[0]
    names = ", ".join(w.slug for w in all_ws) or "none exist"
    raise typer.BadParameter(f"choose a workspace ({names})", param_hint="--workspace")


@report_app().command("responses")
def responses(
    since: str = typer.Option(..., "--since", help="First day, YYYY-MM-DD (workspace time zone)."),
    until: str = typer.Option(..., "--until", help="Last day included, YYYY-MM-DD (workspace time zone)."),
    workspace: str | None = typer.Option(None, "--workspace", help="Workspace slug; optional if only one."),
    fmt: ReportFormat = typer.Option(ReportFormat.json, "--format", help="json, csv or html."),
    output: Path | None = typer.Option(None, "--output", help="File to write; default: standard output."),
) -> None:
    """Response rate, first-response times (clock and business hours) and the waiting backlog."""
    from tending.config import get_settings
    from tending.database.core import make_engine, make_session_factory, utcnow
    from tending.sla.business_hours import ScheduleError, load_zone
    from tending.sla.figures import response_figures
    from tending.sla.render import RENDERERS

    first, last = _parse_day(since, "--since"), _parse_day(until, "--until")
    if last < first:
        raise typer.BadParameter("--until is before --since", param_hint="--until")
    engine = make_engine(get_settings())
    try:
        with make_session_factory(engine)() as session:
            ws = _pick_workspace(session, workspace)
            try:
                zone = load_zone(ws.timezone, field=f"workspace {ws.slug} timezone")
            except ScheduleError as exc:
                raise typer.BadParameter(str(exc), param_hint="--workspace") from exc
            start = datetime.combine(first, time(0), tzinfo=zone)
            end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
            figures = response_figures(session, workspace_id=ws.id, since=start, until=end, now=utcnow())
            text = RENDERERS[fmt.value](figures)
    finally:
        engine.dispose()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


def register(app: typer.Typer) -> None:
    attach(app)
