"""Streaming `timestamp,value` CSV in, `timestamp,value,anomaly_score` CSV out (NAB's file formats).

Rows are scored in chunks through `score_batch`, carrying the detector state from chunk to chunk, so
memory stays flat on any file size and the scores equal a row-by-row run.
"""

from __future__ import annotations

import csv
import itertools
import math
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

import numpy as np

from tending.detection.detector import EPOCH, DetectorConfig, DetectorState, score_batch

OUTPUT_HEADER = ("timestamp", "value", "anomaly_score")
CHUNK_ROWS = 8192
STEP_PROBE_ROWS = 64


class RowError(ValueError):
    """A row that cannot be read; the message names the source and line."""


@dataclass(frozen=True)
class Row:
    line: int
    timestamp_text: str
    value_text: str
    epoch: int
    value: float


def read_rows(lines: Iterable[str], *, source: str = "input") -> Iterator[Row]:
    """Parse the CSV lazily; the first line must be the header `timestamp,value`."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise RowError(f"{source}: empty file (expected a header line 'timestamp,value')")
    names = [h.strip().lower() for h in header]
    if names[:2] != ["timestamp", "value"]:
        raise RowError(f"{source}, line 1: expected header 'timestamp,value', got {','.join(header)!r}")
    for fields in reader:
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) < 2:
            raise RowError(f"{source}, line {line}: expected 'timestamp,value', got {','.join(fields)!r}")
        ts_text, value_text = fields[0].strip(), fields[1].strip()
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
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        epoch = math.floor((aware - EPOCH).total_seconds())
        yield Row(line, ts_text, value_text, epoch, value)


def infer_step_seconds(epochs: list[int], default: float = 300.0) -> float:
    """The bucket size, as the median gap between the first rows (gaps from missing buckets ignored)."""
    gaps = [b - a for a, b in itertools.pairwise(epochs) if b > a]
    return float(statistics.median(gaps)) if gaps else default


def detect_stream(lines: Iterable[str], out: TextIO, *, source: str = "input") -> int:
    """Score every row of a `timestamp,value` CSV and write `timestamp,value,anomaly_score`; returns rows."""
    rows = read_rows(lines, source=source)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_HEADER)
    pending: list[Row] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= STEP_PROBE_ROWS:
            break
    config = DetectorConfig(step_seconds=infer_step_seconds([r.epoch for r in pending]))
    state: DetectorState | None = None
    total = 0
    exhausted = False
    while True:
        while not exhausted and len(pending) < CHUNK_ROWS:
            following = next(rows, None)
            if following is None:
                exhausted = True
            else:
                pending.append(following)
        if not pending:
            break
        result, state = score_batch(
            np.fromiter((r.epoch for r in pending), dtype=np.int64, count=len(pending)),
            np.fromiter((r.value for r in pending), dtype=np.float64, count=len(pending)),
            config=config,
            state=state,
        )
        scores = result.score.tolist()
        writer.writerows(
            (r.timestamp_text, r.value_text, f"{s:.6f}") for r, s in zip(pending, scores, strict=True)
        )
        total += len(pending)
        pending = []
    return total
