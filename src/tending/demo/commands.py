"""`tending demo`: the demo desk on the embedded default, with a generated brand world."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        serve: bool = typer.Option(True, help="Serve the dashboard once the world is built."),
        days: int = typer.Option(90, help="Days of history to generate."),
        seed: int = typer.Option(7, help="Seed of the generated world (same seed, same world)."),
    ) -> None:
        """Build the Northwind Coffee demo workspace (once) and serve the desk on localhost."""
        import os

        from tending.config import get_settings

        # The demo world is served by the `fake` connector, which only this setting enables; the
        # environment carries it to everything in this process that reads the settings.
        os.environ["TENDING_DEMO_CONNECTORS"] = "true"
        get_settings.cache_clear()
        from tending.database.cli_support import open_database
        from tending.demo.service import DEMO_EMAIL, DEMO_PASSWORD, build_demo
        from tending.keys.commands import exit_on_unsafe_keys
        from tending.keys.service import check_serving
        from tending.worker import huey

        settings = get_settings()
        if serve:
            exit_on_unsafe_keys(lambda: check_serving(settings, host=settings.host))
        huey.immediate = True  # the demo has no separate worker: background work runs inline
        factory = open_database(settings)
        typer.echo(f"data folder: {settings.data_dir.resolve()}")
        summary = build_demo(
            factory,
            settings=settings,
            days=days,
            seed=seed,
            on_channel=lambda name, n: typer.echo(f"  ingested {n:>6} messages from {name}"),
        )
        if summary.created:
            typer.echo(f"demo world ready: {summary.channels} channels, {summary.messages} messages")
        else:
            typer.echo("demo world already present (delete the data folder to rebuild it)")
        typer.echo(f"log in at http://{settings.host}:{settings.port}/ as {DEMO_EMAIL} / {DEMO_PASSWORD}")
        if serve:
            import uvicorn

            from tending.app import create_app
            from tending.demo.ticker import start_ticker
            from tending.worker import import_all_tasks

            import_all_tasks()
            start_ticker(huey)  # the minute jobs a `tending worker` would run
            typer.echo("periodic tasks (polling, routing, SLA checks, spike scans) run once a minute")

            uvicorn.run(
                create_app(settings),
                host=settings.host,
                port=settings.port,
                log_level=settings.log_level.lower(),
            )
