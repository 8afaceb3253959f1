"""Helpers shared by the export readers: stable ids, repaired text, times, and record loops."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tending.connectors.bases.items import InboundItem
from tending.ingest.formats import Parsed
from tending.ingest.generic import RecordError
from tending.inputfiles import CsvProblem, csv_file_rows, read_text


def stable_id(prefix: str, *parts: object) -> str:
    """An id for exports that give none: the same record always gets the same id, so re-imports dedupe."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:24]
    return f"{prefix}:{digest}"


def repair_text(value: str) -> str:
    """Meta's exports write UTF-8 bytes as Latin-1 escapes (`Ã©` for `é`); undo that when it applies."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def epoch_time(value: Any, *, field: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float | str) or value == "":
        raise RecordError(f"{field}: missing or not a timestamp")
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (ValueError, OverflowError, OSError):
        raise RecordError(f"{field}: not a timestamp: {str(value)[:40]!r}") from None


def parse_format(value: Any, formats: tuple[str, ...], *, field: str) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{field}: missing")
    text = value.strip()
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"{field}: not a time: {text[:40]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def load_json(path: Path) -> Any:
    """The file's JSON, or RecordError naming where it breaks."""
    text = read_text(path)  # InputFileError names a binary file or a line that is not UTF-8
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno})") from None


def each_record(
    records: list[Any], build: Callable[[Any], InboundItem | None], *, label: str, first: int = 1
) -> Iterator[Parsed]:
    """Build every record; a bad one is yielded with its number and field, and the loop goes on.

    `build` returns None for records that carry no message (a boost, an empty placeholder).
    """
    for n, rec in enumerate(records, start=first):
        try:
            item = build(rec)
        except RecordError as exc:
            yield Parsed(n, None, f"{label} {n}: {exc}")
            continue
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            yield Parsed(n, None, f"{label} {n}: unexpected shape ({type(exc).__name__}: {str(exc)[:60]})")
            continue
        if item is not None:
            yield Parsed(n, item)


def each_csv_row(
    path: Path, required: tuple[str, ...], build: Callable[[dict[str, str]], InboundItem | None]
) -> Iterator[Parsed]:
    """Rows of a CSV export by line number; a missing column fails the header, a bad row only itself."""
    rows = csv_file_rows(path)
    first = next(rows, None)
    header = [] if first is None or isinstance(first[1], CsvProblem) else [h.strip() for h in first[1]]
    missing = [c for c in required if c not in header]
    if missing:
        yield Parsed(1, None, f"line 1: header lacks the column(s) {', '.join(missing)}")
        return
    for n, row in rows:
        if isinstance(row, CsvProblem):
            yield Parsed(n, None, f"line {n}: {row}")
            continue
        if len(row) > len(header):
            yield Parsed(n, None, f"line {n}: row has more fields than the header")
            continue
        try:
            item = build(dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)))
        except RecordError as exc:
            yield Parsed(n, None, f"line {n}: {exc}")
            continue
        if item is not None:
            yield Parsed(n, item)
