"""The `tending report ...` command group, shared by every domain that writes a report.

Domains add their command with `@report_app().command(...)` and call `attach(root)` from their
`register`; attaching twice is harmless, so domains need not know about each other.
"""

from __future__ import annotations

import typer

_REPORT_APP = typer.Typer(help="Reports for a period, as JSON, CSV or HTML.", no_args_is_help=True)


def report_app() -> typer.Typer:
    return _REPORT_APP


def attach(root: typer.Typer) -> None:
    """Add the `report` group to the root command once."""
    if any(group.typer_instance is _REPORT_APP for group in root.registered_groups):
        return
    root.add_typer(_REPORT_APP, name="report")
