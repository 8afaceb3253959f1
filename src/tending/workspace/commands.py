"""`tending workspace ...`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    ws = typer.Typer(help="Workspaces (one per brand).", no_args_is_help=True)

    @ws.command("create")
    def ws_create(
        name: str = typer.Option(...), slug: str = typer.Option(...), timezone: str = typer.Option("UTC")
    ) -> None:
        """Create a workspace."""
        from tending.database.cli_support import open_database
        from tending.workspace.models import WorkspaceCreate
        from tending.workspace.service import create

        factory = open_database()
        with factory() as session:
            w = create(session, workspace_in=WorkspaceCreate(name=name, slug=slug, timezone=timezone))
            session.commit()
            typer.echo(f"created workspace {w.slug} (id {w.id})")

    app.add_typer(ws, name="workspace")
