"""Readers of import files: the generic JSONL/CSV format and the networks' own data exports.

A reader turns a file into `Parsed` records, in file order, each with its 1-based position (line or
record number) so that an error names exactly where the file is wrong. Readers never stop at a bad
record: they yield it with its error and go on, so that one broken line loses nothing else.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from tending.connectors.bases.items import InboundItem
from tending.ingest.generic import RecordError, item_from_record


@dataclass(slots=True)
class Parsed:
    position: int
    item: InboundItem | None
    error: str | None = None


Reader = Callable[[Path], Iterator[Parsed]]


def read_jsonl(path: Path) -> Iterator[Parsed]:
    with path.open("rb") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield Parsed(n, None, f"not valid JSON ({exc.args[0][:80]})")
                continue
            try:
                yield Parsed(n, item_from_record(rec, raw=line.decode("utf-8", "replace").rstrip("\r\n")))
            except RecordError as exc:
                yield Parsed(n, None, str(exc))


def read_csv(path: Path) -> Iterator[Parsed]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "id" not in reader.fieldnames:
            yield Parsed(1, None, "header: the generic CSV needs at least the columns id, text, created_at")
            return
        for row in reader:
            n = reader.line_num
            if None in row:
                yield Parsed(n, None, "row has more fields than the header")
                continue
            buf = io.BytesIO()
            buf.write(orjson.dumps(row))
            try:
                yield Parsed(n, item_from_record(dict(row), raw=buf.getvalue().decode()))
            except RecordError as exc:
                yield Parsed(n, None, str(exc))


def readers() -> dict[str, Reader]:
    """Every known format: the generic ones and each network export registered in `exports`."""
    from tending.ingest.exports import EXPORT_READERS

    return {"jsonl": read_jsonl, "csv": read_csv, **EXPORT_READERS}


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise RecordError(f"{path.name}: cannot tell the format from the name; pass --format")
