"""`tending db ...`: migrations."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database migrations.", no_args_is_help=True)

    @db.command("upgrade")
    def db_upgrade(target: str = typer.Argument("head", help="Revision to reach.")) -> None:
        """Create or upgrade the database schema (run once per deploy in scaled mode)."""
        from tending.config import get_settings
        from tending.database.core import make_engine
        from tending.database.migrate import upgrade

        settings = get_settings()
        upgrade(make_engine(settings), target)
        typer.echo(f"database at {target}: {settings.effective_database_url.split('@')[-1]}")

    @db.command("revision")
    def db_revision(message: str = typer.Option(..., "-m", help="What the revision changes.")) -> None:
        """Autogenerate a migration from the models (developers)."""
        from tending.config import get_settings
        from tending.database.core import make_engine
        from tending.database.migrate import revision

        revision(make_engine(get_settings()), message)

    app.add_typer(db, name="db")
