"""`tending serve` and `tending worker`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str | None = typer.Option(None, help="Address to bind (setting: host)."),
        port: int | None = typer.Option(None, help="Port (setting: port)."),
        workers: int = typer.Option(1, help="API processes."),
        migrate: bool = typer.Option(
            True, help="Apply migrations first (turn off on all but one in scaled mode)."
        ),
    ) -> None:
        """Serve the dashboard and the API."""
        import uvicorn

        from tending.config import get_settings
        from tending.database.core import make_engine
        from tending.database.migrate import upgrade
        from tending.keys.commands import exit_on_unsafe_keys
        from tending.keys.service import check_serving

        settings = get_settings()
        exit_on_unsafe_keys(lambda: check_serving(settings, host=host or settings.host))
        if migrate:
            upgrade(make_engine(settings))
        uvicorn.run(
            "tending.server.asgi:app",
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            log_level=settings.log_level.lower(),
            proxy_headers=True,
        )

    @app.command("worker")
    def worker(
        workers: int = typer.Option(2, help="Worker threads in this consumer."),
    ) -> None:
        """Run a background consumer (polling, triage, scheduled posts, alerts). Start as many as you like."""
        from huey.consumer import Consumer

        from tending.config import get_settings
        from tending.keys.commands import exit_on_unsafe_keys
        from tending.keys.service import check_worker
        from tending.worker import huey, import_all_tasks

        settings = get_settings()
        exit_on_unsafe_keys(lambda: check_worker(settings))
        import_all_tasks()
        consumer = Consumer(
            huey,
            workers=workers,
            worker_type="thread",
            periodic=True,
            check_worker_health=True,
            max_delay=settings.worker_max_delay_s,
        )
        consumer.run()
