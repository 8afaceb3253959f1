"""`tending keys ...`: the session and credentials keys of an install."""

from __future__ import annotations

from collections.abc import Callable

import typer


def exit_on_unsafe_keys(check: Callable[[], None]) -> None:
    """Run a key check before serving or working; its refusal is one line on stderr and exit status 2."""
    from tending.keys.service import UnsafeKeys

    try:
        check()
    except UnsafeKeys as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    keys = typer.Typer(help="Session and credentials keys.", no_args_is_help=True)

    @keys.command("generate")
    def keys_generate() -> None:
        """Print a new session key and a new credentials key, as lines for an environment file."""
        import secrets

        from cryptography.fernet import Fernet

        typer.echo(f"TENDING_SECRET_KEY={secrets.token_urlsafe(48)}")
        typer.echo(f"TENDING_CREDENTIALS_KEY={Fernet.generate_key().decode()}")

    @keys.command("reencrypt")
    def keys_reencrypt() -> None:
        """Re-encrypt stored channel credentials and alert URLs under the current credentials key.

        Run it after upgrading from a version that derived that key from the session key, or after
        rotating the credentials key (then drop the old one from TENDING_CREDENTIALS_OLD_KEYS)."""
        from tending.channel.service import reencrypt_credentials
        from tending.config import get_settings
        from tending.database.cli_support import open_database
        from tending.sla.targets import reseal_targets

        settings = get_settings()
        with open_database(settings)() as session:
            channels, bad_channels = reencrypt_credentials(session, settings=settings)
            targets, bad_targets = reseal_targets(session, settings=settings)
            session.commit()
        typer.echo(f"re-encrypted {channels} channel credentials and {targets} alert URLs")
        if bad_channels or bad_targets:
            typer.echo(
                f"no configured key opens channels {bad_channels} / alert destinations {bad_targets}: "
                "set the key they were stored with in TENDING_CREDENTIALS_OLD_KEYS and run this again",
                err=True,
            )
            raise typer.Exit(1)

    app.add_typer(keys, name="keys")
