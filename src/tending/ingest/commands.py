"""`tending import` and `tending poll`: bring messages in from files and networks."""

from __future__ import annotations

from pathlib import Path

import typer

# The readers' names, spelled here so `--help` needs no import; a test holds them equal to `readers()`.
FORMAT_NAMES = (
    "csv",
    "facebook-export",
    "instagram-export",
    "jsonl",
    "linkedin-export",
    "mastodon-outbox",
    "reddit-export",
    "x-archive",
    "youtube-takeout",
)


def _count_lines(path: Path) -> int | None:
    if path.stat().st_size > 2_000_000_000:
        return None
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        path: Path = typer.Argument(
            ..., exists=True, dir_okay=True, help="File (or export folder) to import."
        ),
        channel: int = typer.Option(..., "--channel", help="Channel id that receives the messages."),
        format: str | None = typer.Option(None, "--format", help=f"One of: {', '.join(FORMAT_NAMES)}."),
        batch_size: int = typer.Option(0, help="Items per transaction (default: setting ingest_batch_size)."),
    ) -> None:
        """Import a generic JSONL/CSV file or a network's data export. Safe to re-run: it resumes."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from tending.config import get_settings
        from tending.database.cli_support import open_database
        from tending.ingest.fileimport import ImportFailed, import_file
        from tending.ingest.generic import RecordError
        from tending.ingest.signals import after_ingest

        settings = get_settings()
        factory = open_database(settings)
        total = _count_lines(path) if path.is_file() else None
        with Progress(
            TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
        ) as progress:
            bar = progress.add_task("import", total=total)
            try:
                out = import_file(
                    factory,
                    channel_id=channel,
                    path=path,
                    fmt=format,
                    batch_size=batch_size or settings.ingest_batch_size,
                    on_progress=lambda n: progress.update(bar, completed=n),
                )
            except (ImportFailed, RecordError) as exc:
                typer.secho(f"import failed: {exc}", fg="red", err=True)
                raise typer.Exit(2) from None
        after_ingest(out.new_message_ids)
        if out.already_done:
            typer.echo(f"{path.name}: already imported ({out.records} records); nothing to do")
            return
        resumed = f", resumed after record {out.resumed_from}" if out.resumed_from else ""
        typer.echo(
            f"{path.name}: {out.records} records, {out.new} new messages, "
            f"{out.duplicates} duplicates{resumed}"
        )
        for err in out.errors:
            typer.secho(err, fg="yellow", err=True)
        if out.error_count:
            typer.secho(
                f"{out.error_count} bad records skipped (listed above, first 100)", fg="yellow", err=True
            )
            raise typer.Exit(1)

    @app.command("poll")
    def poll_cmd(channel: int = typer.Option(..., "--channel", help="Channel id to poll now.")) -> None:
        """Fetch new items of a channel now (the worker does this on a schedule)."""
        from tending.config import get_settings
        from tending.database.cli_support import open_database
        from tending.ingest.poll import poll_channel
        from tending.ingest.signals import after_ingest

        settings = get_settings()
        factory = open_database(settings)
        out = poll_channel(
            factory, settings=settings, channel_id=channel, on_batch=lambda s: after_ingest(s.new_message_ids)
        )
        typer.echo(f"channel {channel}: {out.pages} pages, {out.stats.new} new messages")
        if out.error:
            typer.secho(f"stopped: {out.error}", fg="red", err=True)
            raise typer.Exit(1)
