"""The chunked CSV reader: numpy's fast conversion and the row-by-row parser must agree exactly."""

from __future__ import annotations

import io

import numpy as np
import pytest
from tests.detection.synthetic import seasonal_counts, timestamps

from tending.detection.csvstream import RowError, _parse_fast, detect_stream, read_chunks


def _csv(stamps: list[str], values: list[str]) -> str:
    return "timestamp,value\n" + "".join(f"{t},{v}\n" for t, v in zip(stamps, values, strict=True))


def _naive_series(n: int) -> tuple[list[str], list[str]]:
    stamps = [str(t).replace("T", " ") for t in timestamps(n)]
    values = [str(int(v)) for v in seasonal_counts(n, seed=4)]
    values[n - 30] = "1800.5"
    return stamps, values


def test_fast_path_matches_the_row_parser() -> None:
    stamps, values = _naive_series(3000)
    stamps[5] = "2026-03-02 00:25"  # no seconds
    stamps[6] = "2026-03-02T00:30:00.999999"  # fraction: floored to the second
    assert _parse_fast(stamps, values) is not None
    fast = list(read_chunks(io.StringIO(_csv(stamps, values)), size=1000))
    # A time zone anywhere in a chunk sends that chunk through `datetime.fromisoformat`.
    zoned = [s + "+00:00" for s in stamps]
    assert _parse_fast(zoned, values) is None
    slow = list(read_chunks(io.StringIO(_csv(zoned, values)), size=1000))
    assert [len(c.lines) for c in fast] == [len(c.lines) for c in slow] == [1000, 1000, 1000]
    for a, b in zip(fast, slow, strict=True):
        assert np.array_equal(a.epochs, b.epochs) and np.array_equal(a.values, b.values)
        assert a.lines == b.lines
    assert fast[0].epochs[6] == fast[0].epochs[0] + 30 * 60


def test_output_is_the_same_whichever_parser_read_it() -> None:
    stamps, values = _naive_series(3000)
    outputs = []
    for series in (stamps, [s.replace(" ", "T") + "Z" for s in stamps]):
        sink = io.StringIO()
        assert detect_stream(io.StringIO(_csv(series, values)), sink) == 3000
        outputs.append([line.rsplit(",", 1)[1] for line in sink.getvalue().splitlines()[1:]])
    assert outputs[0] == outputs[1]
    assert max(range(3000), key=lambda i: float(outputs[0][i])) == 3000 - 30


@pytest.mark.parametrize(
    ("stamp", "value", "message"),
    [
        ("now", "3", "bad timestamp 'now'"),  # numpy alone would read it as the current time
        ("NaT", "3", "bad timestamp 'NaT'"),
        ("2026-03-09 00:00:00", "inf", "value 'inf' is not a finite number"),
        ("2026-03-09 00:00:00", "", "value '' is not a number"),
    ],
)
def test_bad_rows_in_a_later_chunk_name_their_line(stamp: str, value: str, message: str) -> None:
    stamps, values = _naive_series(2500)
    stamps[2100], values[2100] = stamp, value
    with pytest.raises(RowError) as caught:
        list(read_chunks(io.StringIO(_csv(stamps, values)), source="f.csv", size=1000))
    assert str(caught.value) == f"f.csv, line 2102: {message}"  # header is line 1


def test_blank_lines_are_skipped_and_short_rows_refused() -> None:
    text = "timestamp,value\n2026-03-02 00:00:00,4\n\n , \n2026-03-02 00:05:00,5\n"
    (chunk,) = read_chunks(io.StringIO(text))
    assert chunk.lines == [2, 5] and chunk.values.tolist() == [4.0, 5.0]
    with pytest.raises(RowError, match="line 3: expected 'timestamp,value'"):
        list(read_chunks(io.StringIO("timestamp,value\n2026-03-02 00:00:00,4\n2026-03-02 00:05:00\n")))
