"""`tending campaign ...`: list, inspect and launch campaigns, and estimate a draft's backlash risk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tending.campaign.states import CampaignStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from tending.campaign.models import Campaign
    from tending.workspace.models import Workspace


def _factory() -> sessionmaker[Session]:
    from tending.config import get_settings
    from tending.database.core import make_engine, make_session_factory

    return make_session_factory(make_engine(get_settings()))


def _workspace(session: Session, slug: str) -> Workspace:
    from tending.workspace.service import get_by_slug

    ws = get_by_slug(session, slug=slug)
    if ws is None:
        typer.echo(f"no workspace {slug!r}", err=True)
        raise typer.Exit(1)
    return ws


def _campaign(session: Session, campaign_id: int) -> Campaign:
    from tending.campaign.service import CampaignNotFound, get_campaign

    try:
        return get_campaign(session, campaign_id=campaign_id)
    except CampaignNotFound as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


def _when(value: object) -> str:
    return value.isoformat(timespec="minutes") if value is not None else "-"  # type: ignore[attr-defined]


def register(app: typer.Typer) -> None:
    campaigns = typer.Typer(help="Campaigns: plans with goals, worst cases and alerts.", no_args_is_help=True)

    @campaigns.command("import-outcomes")
    def import_outcomes_cmd(
        campaign_id: int = typer.Argument(..., metavar="ID"),
        kpi: int = typer.Option(..., help="The sales or sign-ups KPI the series belongs to (its id)."),
        input: Path = typer.Option(..., "--input", help="CSV: a date column, the outcome, controls."),
        y: str | None = typer.Option(None, help="Outcome column (default: y, the KPI's name, or the first)."),
    ) -> None:
        """Import a daily/weekly outcome series (and control series) for a campaign's KPI."""
        from tending.campaign.models import Kpi
        from tending.campaign.outcomes import import_outcomes
        from tending.lift.service import LiftInputError

        with _factory()() as session:
            campaign = _campaign(session, campaign_id)
            target = session.get(Kpi, kpi)
            if target is None or target.campaign_id != campaign.id:
                typer.echo(f"error: campaign {campaign_id} has no KPI {kpi}", err=True)
                raise typer.Exit(2)
            from tending.inputfiles import InputFileError, read_text

            try:
                text = read_text(input)
                done = import_outcomes(session, kpi=target, text=text, source=str(input), y=y)
            except (OSError, InputFileError, LiftInputError) as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from None
            session.commit()
            controls = ", ".join(done.controls) or "none"
            typer.echo(
                f"imported {done.rows} values of {done.outcome!r} ({done.first} to {done.last}); "
                f"controls: {controls}"
            )

    @campaigns.command("list")
    def list_cmd(
        workspace: str | None = typer.Option(None, help="Only this workspace (slug)."),
        status: CampaignStatus | None = typer.Option(None, help="draft, launched or ended."),
    ) -> None:
        """List campaigns, newest first."""
        from tending.campaign.service import list_campaigns

        with _factory()() as session:
            ws_id = _workspace(session, workspace).id if workspace else None
            rows = [
                c for c in list_campaigns(session, workspace_id=ws_id) if status is None or c.status == status
            ]
            if not rows:
                typer.echo("no campaigns")
            for c in rows:
                typer.echo(f"{c.id:>5}  {c.status:<9} {_when(c.launched_at):<17} {c.name}")

    @campaigns.command("show")
    def show_cmd(campaign_id: int = typer.Argument(..., metavar="ID")) -> None:
        """Show a campaign's plan, and what it still lacks if it is a draft."""
        from tending.auth.models import User
        from tending.campaign.launch import launch_requirements
        from tending.campaign.service import list_drafts, list_kpis, list_scenarios
        from tending.database.core import utcnow

        with _factory()() as session:
            c = _campaign(session, campaign_id)
            owner = session.get(User, c.owner_id) if c.owner_id else None
            typer.echo(f"#{c.id} {c.name} [{c.status}]{' (disputable)' if c.disputable else ''}")
            typer.echo(f"objective: {c.objective or '-'}")
            typer.echo(f"owner: {owner.name if owner else '-'}")
            typer.echo(f"period: {_when(c.starts_at or c.launched_at)} .. {_when(c.ends_at)}")
            typer.echo(f"channels: {', '.join(ch.name for ch in c.channels) or '-'}")
            typer.echo(f"identifiers: {', '.join(c.identifiers) or '-'}")
            for k in list_kpis(session, campaign_id=c.id):
                typer.echo(f"KPI {k.name}: {k.metric} {k.direction} to {k.target} in {k.horizon_days} days")
            for s in list_scenarios(session, campaign_id=c.id):
                gaps = s.missing()
                state = f"missing {', '.join(gaps)}" if gaps else "ready"
                typer.echo(f"scenario {s.id} {s.title}: {state}")
            for d in list_drafts(session, campaign_id=c.id):
                typer.echo(f"draft {d.id} risk {d.risk_level or '?'} ({d.risk_score}): {d.text[:80]}")
            if c.status == CampaignStatus.draft:
                missing = launch_requirements(session, campaign=c, now=utcnow())
                typer.echo("ready to launch" if not missing else "missing before launch:")
                for m in missing:
                    typer.echo(f"  - {m}")
            session.rollback()

    @campaigns.command("launch")
    def launch_cmd(
        campaign_id: int = typer.Argument(..., metavar="ID"),
        actor: str | None = typer.Option(None, help="E-mail of the person launching (for the audit log)."),
    ) -> None:
        """Launch a campaign; refused, with every missing piece listed, unless the plan is complete."""
        from tending.auth.service import get_by_email
        from tending.campaign.launch import LaunchRefused, launch_campaign
        from tending.database.core import utcnow

        with _factory()() as session:
            user = get_by_email(session, email=actor) if actor else None
            if actor and user is None:
                typer.echo(f"no account {actor!r}", err=True)
                raise typer.Exit(1)
            c = _campaign(session, campaign_id)
            try:
                launch_campaign(session, campaign_id=c.id, actor=user, now=utcnow())
            except LaunchRefused as refused:
                session.rollback()
                typer.echo(f"campaign {c.id} cannot launch yet; missing:", err=True)
                for m in refused.missing:
                    typer.echo(f"  - {m}", err=True)
                raise typer.Exit(1) from None
            session.commit()
            typer.echo(f"launched campaign {c.id} {c.name!r} at {_when(c.launched_at)}")

    @campaigns.command("risk")
    def risk_cmd(
        workspace: str = typer.Option(..., help="Workspace (slug) whose history is read."),
        text: str = typer.Option(..., help="Text of the draft post."),
        k: int = typer.Option(10, min=1, max=100, help="How many similar past posts to weigh."),
    ) -> None:
        """Estimate a draft post's backlash risk from the brand's past posts, showing those posts."""
        from tending.campaign.risk import backlash_risk

        with _factory()() as session:
            ws = _workspace(session, workspace)
            risk = backlash_risk(session, workspace_id=ws.id, text=text, k=k)
            base = f"{risk.baseline_negative_share:.0%}" if risk.baseline_negative_share is not None else "-"
            typer.echo(
                f"backlash risk: {risk.level} (negative-reply share {risk.score:.0%} on similar "
                f"posts; brand average {base}; {risk.history_posts} past posts with replies)"
            )
            for ex in risk.examples:
                typer.echo(
                    f"  {ex.similarity:.2f}  {ex.negative_replies}/{ex.replies} negative  "
                    f"{_when(ex.created_at)}  {ex.text[:90]}"
                )

    app.add_typer(campaigns, name="campaign")
