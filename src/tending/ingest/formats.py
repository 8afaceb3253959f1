"""Readers of import files: the generic JSONL/CSV format and the networks' own data exports.

A reader turns a file into `Parsed` records, in file order, each with its 1-based position (line or
record number) so that an error names exactly where the file is wrong. Readers never stop at a bad
record: they yield it with its error and go on, so that one broken line loses nothing else. A file that
is not text at all (binary, UTF-16) is refused as a whole by `import_file` before a reader opens it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tending.connectors.bases.items import InboundItem
from tending.ingest.generic import RecordError, item_from_record
from tending.inputfiles import CsvProblem, csv_file_rows, not_utf8


@dataclass(slots=True)
class Parsed:
    position: int
    item: InboundItem | None
    error: str | None = None


Reader = Callable[[Path], Iterator[Parsed]]


def read_jsonl(path: Path) -> Iterator[Parsed]:
    with path.open("rb") as fh:
        for n, line in enumerate(fh, start=1):
            if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield Parsed(n, None, _json_problem(path, n, line, exc))
                continue
            try:
                yield Parsed(n, item_from_record(rec, raw=line.decode("utf-8", "replace").rstrip("\r\n")))
            except RecordError as exc:
                yield Parsed(n, None, str(exc))


def _json_problem(path: Path, n: int, line: bytes, exc: orjson.JSONDecodeError) -> str:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return not_utf8(line, bad)
    return f"not valid JSON ({exc.args[0][:80]})"


def read_csv(path: Path) -> Iterator[Parsed]:
    """Generic CSV records; a record the csv module cannot read (a field over its limit, a quote left
    open, a line that is not UTF-8) is reported with its line and reading goes on."""
    rows = csv_file_rows(path)
    first = next(rows, None)
    header = first[1] if first else None
    if isinstance(header, CsvProblem) or not header or "id" not in header:
        yield Parsed(1, None, "header: the generic CSV needs at least the columns id, text, created_at")
        return
    width = len(header)
    for n, row in rows:
        if isinstance(row, CsvProblem):
            yield Parsed(n, None, row)
            continue
        if len(row) > width:
            yield Parsed(n, None, "row has more fields than the header")
            continue
        rec: dict[str, Any] = dict(zip(header, row, strict=False))
        try:
            yield Parsed(n, item_from_record(rec, raw=orjson.dumps(rec).decode()))
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
