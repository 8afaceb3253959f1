"""`tending audit accounts --input FILE.csv`: authenticity scores with reasons, one JSON line per account."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from tending.audience.verdict import FAKE_BELOW, GENUINE_FROM

if TYPE_CHECKING:
    from tending.audience.authenticity import Profiles

COLUMNS = (
    "handle",
    "id",
    "name",
    "created_at",
    "followers",
    "following",
    "posts",
    "default_avatar",
    "bio",
    "verified",
    "engaged_at",
    "text",
)
HELP = (
    "Columns (header row; any may be missing, its features are then skipped): handle, id, name, created_at "
    "(ISO time), followers, following, posts, default_avatar (true/false), bio, verified (true/false), "
    "engaged_at (ISO time of the follow or comment), text (the comment)."
)
VERDICTS = (
    f"Each line: handle, id, score (probability the account is a genuine person, calibrated: 0.5 is even "
    f"odds), verdict and reasons (each sign's contribution to the log-odds, largest first). Verdict: "
    f"likely_fake below {FAKE_BELOW}, uncertain from {FAKE_BELOW} to {GENUINE_FROM}, likely_genuine from "
    f"{GENUINE_FROM}. Ages are measured at engaged_at where given, else at --as-of."
)


class AuditInputError(ValueError):
    pass


def _time(v: str, line: int, col: str) -> datetime | None:
    if not v:
        return None
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        raise AuditInputError(f"line {line}: {col} is not an ISO time: {v[:40]!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _int(v: str, line: int, col: str) -> int | None:
    if not v:
        return None
    try:
        return int(float(v))
    except (ValueError, OverflowError):
        raise AuditInputError(f"line {line}: {col} is not a number: {v[:40]!r}") from None


def _bool(v: str) -> bool | None:
    return None if not v else v.strip().lower() in {"1", "true", "yes", "y", "t"}


def read_profiles(path: Path) -> tuple[list[dict[str, str]], Profiles]:
    from tending.audience.authenticity import Profiles
    from tending.inputfiles import InputFileError, TextLines, csv_records

    try:
        numbered = list(csv_records(TextLines(path), source=path.name))
    except InputFileError as exc:
        raise AuditInputError(str(exc).removeprefix(f"{path.name}, ")) from None
    lines = [n for n, _ in numbered]
    rows = [r for _, r in numbered]
    present = set(rows[0]) if rows else set()
    if not present & {"handle", "id"}:
        raise AuditInputError("the file needs a handle or an id column")
    cols: dict[str, Any] = {}
    for col in ("created_at", "engaged_at"):
        if col in present:
            cols[col] = [_time(r.get(col) or "", n, col) for n, r in zip(lines, rows, strict=True)]
    for col in ("followers", "following", "posts"):
        if col in present:
            cols[col] = [_int(r.get(col) or "", n, col) for n, r in zip(lines, rows, strict=True)]
    for col in ("default_avatar", "verified"):
        if col in present:
            cols[col] = [_bool(r.get(col) or "") for r in rows]
    for col in ("bio", "text"):
        if col in present:
            cols[col] = [r.get(col) or "" for r in rows]
    handles = [r.get("handle") or r.get("id") or "" for r in rows]
    return rows, Profiles(handle=handles, **cols)


def register(app: typer.Typer) -> None:
    audit = typer.Typer(help="Audits of audience authenticity and agency delivery.", no_args_is_help=True)

    @audit.command("accounts", help=f"Score accounts for authenticity (1 = genuine). {HELP} {VERDICTS}")
    def accounts(
        input: Path = typer.Option(..., "--input", exists=True, help="CSV of profiles."),
        as_of: str | None = typer.Option(
            None,
            "--as-of",
            help="When the profiles were observed (ISO date or time, UTC unless given): account ages are "
            "measured at that date. Default: now.",
        ),
    ) -> None:
        from tending.audience.authenticity import score_accounts

        try:
            observed = _time(as_of, 0, "--as-of") if as_of else None
            rows, profiles = read_profiles(input)
        except AuditInputError as exc:
            typer.secho(f"{input.name}: {exc}".replace("line 0: ", ""), fg="red", err=True)
            raise typer.Exit(2) from None
        out = sys.stdout.buffer
        for row, s in zip(rows, score_accounts(profiles, now=observed), strict=True):
            out.write(
                orjson.dumps(
                    {
                        "handle": row.get("handle"),
                        "id": row.get("id"),
                        "score": s.score,
                        "verdict": s.verdict.value,
                        "reasons": s.reasons,
                    }
                )
                + b"\n"
            )
        out.flush()

    app.add_typer(audit, name="audit")
    register_metrics_import(app)


def register_metrics_import(app: typer.Typer) -> None:
    @app.command("import-metrics")
    def import_metrics(
        path: Path = typer.Argument(
            ..., exists=True, help="CSV with a date column and one column per figure."
        ),
        channel: int = typer.Option(..., "--channel", help="Channel id the figures belong to."),
        date_column: str = typer.Option("date", help="Name of the date column."),
    ) -> None:
        """Import audience figures (followers, visits, page views, likes) from CSV; a re-import replaces."""
        from tending.audience.service import store_points
        from tending.channel.models import Channel
        from tending.database.cli_support import open_database
        from tending.inputfiles import TextLines, csv_records, reported

        points: list[tuple[str, datetime, float]] = []
        with reported():
            for line, row in csv_records(TextLines(path), source=path.name, required=[date_column]):
                try:
                    at = _time(row[date_column], line, date_column)
                    for name, value in row.items():
                        if name != date_column and value:
                            points.append((name, at, float(value)))  # type: ignore[arg-type]
                except AuditInputError as exc:
                    typer.secho(f"{path.name}: {exc}", fg="red", err=True)
                    raise typer.Exit(2) from None
                except ValueError as exc:
                    typer.secho(f"{path.name}, line {line}: {exc}", fg="red", err=True)
                    raise typer.Exit(2) from None
        factory = open_database()
        with factory() as session:
            ch = session.get(Channel, channel)
            if ch is None:
                typer.secho(f"no channel {channel}", fg="red", err=True)
                raise typer.Exit(2)
            stored = store_points(session, channel=ch, points=[p for p in points if p[1] is not None])
            session.commit()
        typer.echo(f"{stored} figures stored for channel {channel}")
