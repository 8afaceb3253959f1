"""Streaming `timestamp,value` CSV in, `timestamp,value,anomaly_score` CSV out (NAB's file formats).

Rows are read and scored in chunks through `score_batch`, carrying the detector state from chunk to
chunk, so memory stays flat on any file size and the scores equal a row-by-row run. Each chunk's
timestamps and values are converted by numpy in one call; a chunk with anything unusual (a time zone,
a bad number) goes through the row-by-row parser instead, which names the first bad line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

from tending.csvsafe import safe_writer
from tending.detection.auto import AutoDetector
from tending.detection.detector import epoch_seconds
from tending.inputfiles import CsvProblem, csv_rows

OUTPUT_HEADER = ("timestamp", "value", "anomaly_score")
CHUNK_ROWS = 8192
MICROSECONDS = 1_000_000
# Naive ISO timestamps that numpy and `datetime.fromisoformat` read the same way (numpy alone would
# also take words such as "now" or "NaT", and reads time zones differently).
_NAIVE_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?", re.ASCII)


class RowError(ValueError):
    """A row that cannot be read; the message names the source and line."""


@dataclass(frozen=True)
class Row:
    line: int
    timestamp_text: str
    value_text: str
    epoch: int
    value: float


@dataclass(frozen=True)
class Chunk:
    """Consecutive rows: the texts as read (written back unchanged) and their parsed arrays."""

    lines: list[int]
    timestamp_texts: list[str]
    value_texts: list[str]
    epochs: NDArray[np.int64]
    values: NDArray[np.float64]


def read_chunks(lines: Iterable[str], *, source: str = "input", size: int = CHUNK_ROWS) -> Iterator[Chunk]:
    """Parse the CSV lazily, `size` rows at a time; the first line must be the header `timestamp,value`."""
    rows = csv_rows(lines)  # strict quoting; a record the csv module cannot read comes as its problem
    first = next(rows, None)
    if first is None:
        raise RowError(f"{source}: empty file (expected a header line 'timestamp,value')")
    if isinstance(first[1], CsvProblem):
        raise RowError(f"{source}, line {first[0]}: {first[1]}")
    header = first[1]
    names = [h.strip().lower() for h in header]
    if names[:2] != ["timestamp", "value"]:
        raise RowError(f"{source}, line 1: expected header 'timestamp,value', got {','.join(header)!r}")
    numbers: list[int] = []
    stamps: list[str] = []
    texts: list[str] = []
    for line, fields in rows:
        if isinstance(fields, CsvProblem):
            raise RowError(f"{source}, line {line}: {fields}")
        if len(fields) < 2 or not (fields[0].strip() or fields[1].strip()):
            if all(not f.strip() for f in fields):
                continue  # blank line
            if len(fields) < 2:
                raise RowError(f"{source}, line {line}: expected 'timestamp,value', got {','.join(fields)!r}")
        numbers.append(line)
        stamps.append(fields[0].strip())
        texts.append(fields[1].strip())
        if len(numbers) >= size:
            yield _chunk(numbers, stamps, texts, source)
            numbers, stamps, texts = [], [], []
    if numbers:
        yield _chunk(numbers, stamps, texts, source)


def _chunk(numbers: list[int], stamps: list[str], texts: list[str], source: str) -> Chunk:
    parsed = _parse_fast(stamps, texts)
    if parsed is None:
        rows = [_parse_row(n, t, v, source) for n, t, v in zip(numbers, stamps, texts, strict=True)]
        parsed = (
            np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
            np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows)),
        )
    return Chunk(numbers, stamps, texts, parsed[0], parsed[1])


def _parse_fast(stamps: list[str], texts: list[str]) -> tuple[NDArray[np.int64], NDArray[np.float64]] | None:
    """Both columns in one numpy call each, or None when any row needs the careful parser."""
    if not all(_NAIVE_ISO.fullmatch(t) for t in stamps):
        return None
    try:
        micros = np.array(stamps, dtype="datetime64[us]").astype(np.int64)
        values = np.array(texts, dtype=np.float64)
    except ValueError:
        return None
    if not np.isfinite(values).all():
        return None
    return micros // MICROSECONDS, values


def _parse_row(line: int, ts_text: str, value_text: str, source: str) -> tuple[int, float]:
    """One row's epoch seconds (naive = UTC) and value, or a RowError naming the line."""
    try:
        moment = datetime.fromisoformat(ts_text)
    except ValueError:
        raise RowError(f"{source}, line {line}: bad timestamp {ts_text!r}") from None
    try:
        value = float(value_text)
    except ValueError:
        raise RowError(f"{source}, line {line}: value {value_text!r} is not a number") from None
    if not math.isfinite(value):
        raise RowError(f"{source}, line {line}: value {value_text!r} is not a finite number")
    return epoch_seconds(moment), value


def read_rows(lines: Iterable[str], *, source: str = "input") -> Iterator[Row]:
    """The rows one by one (same parser as `read_chunks`)."""
    for chunk in read_chunks(lines, source=source):
        epochs, values = chunk.epochs.tolist(), chunk.values.tolist()
        for i, line in enumerate(chunk.lines):
            yield Row(line, chunk.timestamp_texts[i], chunk.value_texts[i], epochs[i], values[i])


def detect_stream(lines: Iterable[str], out: TextIO, *, source: str = "input") -> int:
    """Score every row of a `timestamp,value` CSV and write `timestamp,value,anomaly_score`; returns rows.

    The series' type (counts or continuous) and bucket size are learnt from its own first day.
    """
    writer = safe_writer(out)
    writer.writerow(OUTPUT_HEADER)
    detector = AutoDetector()
    total = 0
    for chunk in read_chunks(lines, source=source):
        scores = [f"{s:.6f}" for s in detector.score(chunk.epochs, chunk.values).tolist()]
        writer.writerows(zip(chunk.timestamp_texts, chunk.value_texts, scores, strict=True))
        total += len(chunk.lines)
    return total
