"""`tending classify` (public interface) and `tending triage FILE` (bulk)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TextIO

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tending.triage.classify import ModelUnavailable, classify_texts

BATCH = 2000


def _lines(source: TextIO, text_column: str | None) -> list[str]:
    if text_column:
        reader = csv.DictReader(source)
        if not reader.fieldnames or text_column not in reader.fieldnames:
            raise typer.BadParameter(
                f"no column {text_column!r} (columns: {', '.join(reader.fieldnames or [])})"
            )
        return [row[text_column] or "" for row in reader]
    return [line.rstrip("\n") for line in source]


def register(app: typer.Typer) -> None:
    @app.command("classify")
    def classify(
        input: Path | None = typer.Option(
            None, "--input", exists=True, help="A text file (one per line) or CSV."
        ),
        text_column: str | None = typer.Option(
            None, "--text-column", help="Column holding the text, for CSV."
        ),
        model: str = typer.Option("default", "--model", help="default or embeddings."),
    ) -> None:
        """Read one text per line (stdin or --input) and write one JSON object per line:
        {"sentiment", "sentiment_score", "intent", "language", "urgency", "topics", "intents", "reasons"};
        `intents` holds each of question, complaint, request, praise, spam, abuse with its probability,
        `intent` the main one (see the README)."""
        if input is not None:
            with input.open(encoding="utf-8", newline="") as fh:
                texts = _lines(fh, text_column)
        else:
            texts = _lines(sys.stdin, text_column)
        out = sys.stdout.buffer
        try:
            for i in range(0, len(texts), BATCH):
                for r in classify_texts(texts[i : i + BATCH], model=model):
                    out.write(orjson.dumps(r.public()) + b"\n")
        except ModelUnavailable as exc:
            typer.secho(str(exc), fg="red", err=True)
            raise typer.Exit(2) from None
        out.flush()

    @app.command("triage")
    def triage(
        path: Path = typer.Argument(
            ..., exists=True, help="Generic-format JSONL or CSV (records with `text`)."
        ),
        output: Path | None = typer.Option(None, "--output", help="Where to write (default: stdout)."),
        model: str = typer.Option("default", "--model", help="default or embeddings."),
    ) -> None:
        """Triage every record of a file, adding triage fields; progress is shown on stderr."""
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8", newline="") as fh:
                records = list(csv.DictReader(fh))
        else:
            records = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
        sink = output.open("wb") if output else sys.stdout.buffer
        try:
            with Progress(
                TextColumn("triage"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
                console=None,
            ) as progress:
                bar = progress.add_task("triage", total=len(records))
                for i in range(0, len(records), BATCH):
                    chunk = records[i : i + BATCH]
                    for rec, r in zip(
                        chunk,
                        classify_texts([str(c.get("text") or "") for c in chunk], model=model),
                        strict=True,
                    ):
                        sink.write(orjson.dumps({**rec, **r.public()}) + b"\n")
                    progress.update(bar, advance=len(chunk))
        except ModelUnavailable as exc:
            typer.secho(str(exc), fg="red", err=True)
            raise typer.Exit(2) from None
        finally:
            if output:
                sink.close()
