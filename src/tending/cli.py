"""The `tending` command. Each domain adds its commands from `tending/<domain>/commands.py`.

A domain's module exposes `register(app: typer.Typer) -> None`; discovery keeps this file free of
per-domain imports, so domains stay independent.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

import tending

app = typer.Typer(
    name="tending",
    help="tending: a self-hosted social engagement desk.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _register_domains(root: typer.Typer) -> None:
    for mod in sorted(pkgutil.walk_packages(tending.__path__, "tending."), key=lambda m: m.name):
        if mod.name.endswith(".commands"):
            module = importlib.import_module(mod.name)
            register = getattr(module, "register", None)
            if callable(register):
                register(root)


_register_domains(app)


def main() -> None:
    app()
