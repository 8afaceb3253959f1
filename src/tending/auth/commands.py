"""`tending user ...`: local accounts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from tending.auth.roles import Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tending.auth.models import User


def _read_password() -> str:
    """The new password, typed twice at a terminal or read from the first line of stdin (scripts).

    Never a command-line argument: those are visible to every local user in `ps`."""
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise typer.BadParameter("no password on stdin (pipe it as the first line)")
    return line


def _new_password() -> str:
    from pydantic import ValidationError

    from tending.auth.models import PASSWORD_RULE, NewPassword

    try:
        return NewPassword(password=_read_password()).password
    except ValidationError:
        raise typer.BadParameter(PASSWORD_RULE) from None


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Local accounts.", no_args_is_help=True)

    @users.command("create")
    def user_create(
        email: str = typer.Option(..., help="Login e-mail."),
        name: str = typer.Option(..., help="Display name."),
        role: Role = typer.Option(Role.member, help="admin, member or agency."),
        workspace: list[str] = typer.Option([], help="Workspace slug(s) the account works on."),
        expertise: list[str] = typer.Option([], help="Topics this person answers best."),
        timezone: str = typer.Option("UTC", help="IANA time zone of the working hours."),
    ) -> None:
        """Create a local account. The password is prompted for, or read from the first line of stdin."""
        from tending.auth.models import UserCreate
        from tending.auth.service import create_user, get_by_email
        from tending.database.cli_support import open_database
        from tending.workspace.service import get_by_slug

        password = _new_password()
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

    @users.command("deactivate")
    def user_deactivate(email: str = typer.Argument(..., help="Login e-mail of the account.")) -> None:
        """Stop an account: it cannot log in, its sessions end and its API tokens are revoked at once."""
        from tending.auth.service import deactivate_user

        with _account(email) as (session, user):
            deactivate_user(session, user=user, actor_id=None)
            typer.echo(f"deactivated {user.email}: sessions ended, API tokens revoked")

    @users.command("reactivate")
    def user_reactivate(email: str = typer.Argument(..., help="Login e-mail of the account.")) -> None:
        """Let a deactivated account log in again (its old API tokens stay revoked)."""
        from tending.auth.service import reactivate_user

        with _account(email) as (session, user):
            reactivate_user(session, user=user, actor_id=None)
            typer.echo(f"reactivated {user.email}")

    @users.command("reset-password")
    def user_reset_password(email: str = typer.Argument(..., help="Login e-mail of the account.")) -> None:
        """Set a new password (prompted, or the first line of stdin); every session of the account ends."""
        from tending.auth.service import reset_password

        password = _new_password()
        with _account(email) as (session, user):
            reset_password(session, user=user, password=password, actor_id=None)
            typer.echo(f"new password set for {user.email}; its sessions ended")

    app.add_typer(users, name="user")


@contextmanager
def _account(email: str) -> Iterator[tuple[Session, User]]:
    """The account with this e-mail in a session committed when the block succeeds."""
    from tending.auth.service import get_by_email
    from tending.database.cli_support import open_database
    from tending.database.core import session_scope

    with session_scope(open_database()) as session:
        user = get_by_email(session, email=email)
        if user is None:
            raise typer.BadParameter(f"no account {email!r}")
        yield session, user
