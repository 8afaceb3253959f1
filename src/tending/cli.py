"""The `tending` command. Each domain adds its commands from `tending/<domain>/commands.py`.

A domain's module exposes `register(app: typer.Typer) -> None` and imports its domain only inside the
commands themselves (see `tending.discovery`), so building this command tree costs typer alone.
"""

from __future__ import annotations

import typer

from tending.discovery import Declaration, import_declarations

app = typer.Typer(
    name="tending",
    help="tending: a self-hosted social engagement desk.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _register_domains(root: typer.Typer) -> None:
    for module in import_declarations(Declaration.commands):
        register = getattr(module, "register", None)
        if callable(register):
            register(root)


_register_domains(app)


def main() -> None:
    app()
