"""`tending report campaign|audit|digest`: the dashboard's reports as HTML, PDF or JSON files."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tending.report.cli import attach, report_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tending.report.framework import ReportData
    from tending.workspace.models import Workspace


class OutputFormat(enum.StrEnum):
    html = "html"
    pdf = "pdf"
    json = "json"


def _workspace(session: Session, slug: str) -> Workspace:
    from sqlalchemy import select

    from tending.workspace.models import Workspace

    ws = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is None:
        raise typer.BadParameter(f"no workspace {slug!r}", param_hint="--workspace")
    return ws


def _write(report: ReportData, fmt: OutputFormat, output: Path | None) -> None:
    from tending.report.framework import report_json
    from tending.report.render import standalone_html, to_pdf

    if fmt is OutputFormat.pdf:
        data = to_pdf(report)
        if output is None:
            raise typer.BadParameter("a PDF needs --output FILE", param_hint="--output")
        output.write_bytes(data)
    else:
        text = standalone_html(report) if fmt is OutputFormat.html else report_json(report).decode()
        if output is None:
            typer.echo(text)
            return
        output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)


def _run(
    kind: str,
    *,
    slug: str | None,
    campaign_id: int | None,
    since: str | None,
    until: str | None,
    fmt: OutputFormat,
    output: Path | None,
) -> None:
    from tending.campaign.models import Campaign
    from tending.config import get_settings
    from tending.database.core import make_engine, make_session_factory, utcnow
    from tending.report.registry import REPORTS, ReportInputError, build_report, period
    from tending.workspace.models import Workspace

    engine = make_engine(get_settings())
    try:
        with make_session_factory(engine)() as session:
            now = utcnow()
            if campaign_id is not None:
                campaign = session.get(Campaign, campaign_id)
                if campaign is None:
                    raise typer.BadParameter(f"no campaign {campaign_id}", param_hint="ID")
                ws = session.get(Workspace, campaign.workspace_id)
                assert ws is not None
            else:
                ws = _workspace(session, slug or "")
            try:
                if campaign_id is not None and not since and not until:
                    start = end = None
                else:
                    start, end = period(
                        ws, since=since, until=until, default_days=REPORTS[kind].default_days, now=now
                    )
                report = build_report(
                    session, kind=kind, workspace=ws, since=start, until=end, now=now, campaign_id=campaign_id
                )
            except ReportInputError as exc:
                raise typer.BadParameter(str(exc)) from exc
    finally:
        engine.dispose()
    _write(report, fmt, output)


FORMAT = typer.Option(OutputFormat.html, "--format", help="html, pdf or json.")
OUTPUT = typer.Option(None, "--output", help="File to write; default standard output (not for pdf).")
SINCE = typer.Option(None, "--since", help="First day, YYYY-MM-DD (workspace time zone).")
UNTIL = typer.Option(None, "--until", help="First day not included, YYYY-MM-DD.")


@report_app().command("campaign")
def campaign_report(
    campaign_id: int = typer.Argument(..., metavar="ID", help="Campaign id."),
    since: str | None = SINCE,
    until: str | None = UNTIL,
    fmt: OutputFormat = FORMAT,
    output: Path | None = OUTPUT,
) -> None:
    """KPIs against target, scenarios that fired, response figures and sales lift of one campaign."""
    _run("campaign", slug=None, campaign_id=campaign_id, since=since, until=until, fmt=fmt, output=output)


@report_app().command("audit")
def audit_report(
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
    since: str | None = SINCE,
    until: str | None = UNTIL,
    fmt: OutputFormat = FORMAT,
    output: Path | None = OUTPUT,
) -> None:
    """What the agency delivered in the period, and whether the audience growth is genuine."""
    _run("audit", slug=workspace, campaign_id=None, since=since, until=until, fmt=fmt, output=output)


@report_app().command("digest")
def digest_report(
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
    fmt: OutputFormat = FORMAT,
    output: Path | None = OUTPUT,
) -> None:
    """This week's digest: channels at risk, retirements, waiting conversations, alert incidents."""
    _run("digest", slug=workspace, campaign_id=None, since=None, until=None, fmt=fmt, output=output)


def register(app: typer.Typer) -> None:
    attach(app)
