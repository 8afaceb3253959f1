"""`tending user ...`: local accounts."""

from __future__ import annotations

import typer

from tending.auth.roles import Role


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Local accounts.", no_args_is_help=True)

    @users.command("create")
    def user_create(
        email: str = typer.Option(..., help="Login e-mail."),
        name: str = typer.Option(..., help="Display name."),
        password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
        role: Role = typer.Option(Role.member, help="admin, member or agency."),
        workspace: list[str] = typer.Option([], help="Workspace slug(s) the account works on."),
        expertise: list[str] = typer.Option([], help="Topics this person answers best."),
        timezone: str = typer.Option("UTC", help="IANA time zone of the working hours."),
    ) -> None:
        """Create a local account."""
        from tending.auth.models import UserCreate
        from tending.auth.service import create_user, get_by_email
        from tending.database.cli_support import open_database
        from tending.workspace.service import get_by_slug

        factory = open_database()
        with factory() as session:
            if get_by_email(session, email=email):
                raise typer.BadParameter(f"{email} already has an account")
            ws_ids = []
            for slug in workspace:
                ws = get_by_slug(session, slug=slug)
                if ws is None:
                    raise typer.BadParameter(f"no workspace {slug!r}")
                ws_ids.append(ws.id)
            user = create_user(
                session,
                user_in=UserCreate(
                    email=email,
                    name=name,
                    password=password,
                    role=role,
                    expertise=expertise,
                    timezone=timezone,
                ),
                workspace_ids=ws_ids,
            )
            session.commit()
            typer.echo(f"created {user.email} ({user.role})")

    app.add_typer(users, name="user")
