"""`tending classify` (public interface) and `tending triage FILE` (bulk)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
import typer

BATCH = 2000


def _lines(source: Iterable[str], text_column: str | None, *, name: str) -> list[str]:
    """The texts to classify, each capped as stored messages are (a huge line cannot take the memory)."""
    from tending.inputfiles import csv_records
    from tending.textcap import TEXT_CAP_BYTES, cap_utf8

    if text_column:
        rows = csv_records(source, source=name, required=[text_column])
        return [cap_utf8(row[text_column], TEXT_CAP_BYTES) for _, row in rows]
    return [cap_utf8(line.rstrip("\r\n"), TEXT_CAP_BYTES) for line in source]


def _records(path: Path) -> list[dict[str, Any]]:
    """The records of a generic JSONL or CSV file; InputFileError names the first line that is not one."""
    from tending.inputfiles import InputFileError, TextLines, csv_records, json_line

    lines = TextLines(path)
    if path.suffix.lower() == ".csv":
        return [dict(row) for _, row in csv_records(lines, source=path.name)]
    records = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        rec = json_line(line, source=path.name, line=n)
        if not isinstance(rec, dict):
            raise InputFileError(f"{path.name}, line {n}: not a JSON object (a record with a text field)")
        records.append(rec)
    return records


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
        from tending.inputfiles import TextLines, reported
        from tending.triage.classify import ModelUnavailable, classify_texts

        with reported():
            if input is not None:
                texts = _lines(TextLines(input), text_column, name=input.name)
            else:
                texts = _lines(TextLines(None, stream=sys.stdin.buffer), text_column, name="standard input")
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
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from tending.inputfiles import reported
        from tending.textcap import TEXT_CAP_BYTES, cap_utf8
        from tending.triage.classify import ModelUnavailable, classify_texts

        with reported():
            records = _records(path)
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
                        classify_texts(
                            [cap_utf8(str(c.get("text") or ""), TEXT_CAP_BYTES) for c in chunk], model=model
                        ),
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
