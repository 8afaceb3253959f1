"""`tending detect-anomalies`: score any series (counts or continuous metrics), in NAB's file formats."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("detect-anomalies")
    def detect_anomalies(
        input: Path = typer.Option(
            ..., "--input", exists=True, dir_okay=False, help="CSV with a header row 'timestamp,value'."
        ),
        output: Path | None = typer.Option(
            None,
            "--output",
            dir_okay=False,
            help="Output CSV 'timestamp,value,anomaly_score' (default: stdout).",
        ),
    ) -> None:
        """Score every row (0 calm, 0.5 the alert line, 1 alarming) using only the rows before it.

        Tells counts from continuous values on the first day (which scores 0). Flag rows at 0.5 or more.
        """
        from tending.detection.csvstream import RowError, detect_stream
        from tending.inputfiles import TextLines, reported

        try:
            with reported():
                src = TextLines(input)
                if output is None:
                    detect_stream(src, sys.stdout, source=str(input))
                else:
                    tmp = output.with_name(output.name + ".partial")
                    try:
                        with tmp.open("w", encoding="utf-8", newline="") as out:
                            detect_stream(src, out, source=str(input))
                    except BaseException:
                        tmp.unlink(missing_ok=True)
                        raise
                    tmp.replace(output)
        except RowError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from None
