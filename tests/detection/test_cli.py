from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from tests.detection.synthetic import seasonal_counts, timestamps
from typer.testing import CliRunner

from tending.cli import app

runner = CliRunner()


def _write_input(path: Path, n: int) -> np.ndarray:
    values = seasonal_counts(n, seed=7)
    values[n - 50] = 2000
    with path.open("w") as fh:
        fh.write("timestamp,value\n")
        for t, v in zip(timestamps(n), values, strict=True):
            fh.write(f"{str(t).replace('T', ' ')},{int(v)}\n")
    return values


def test_every_row_scored_in_order(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    n = 20_000  # more than one internal chunk
    _write_input(src, n)
    result = runner.invoke(app, ["detect-anomalies", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "timestamp,value,anomaly_score"
    rows = list(csv.reader(lines[1:]))
    source = list(csv.reader(src.read_text().splitlines()[1:]))
    assert len(rows) == n
    assert [r[:2] for r in rows] == source
    scores = np.array([float(r[2]) for r in rows])
    assert np.all((scores >= 0) & (scores <= 1))
    assert int(np.argmax(scores)) == n - 50


def test_stdout_when_no_output(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("timestamp,value\n2015-02-26 21:42:53,53\n2015-02-26 21:47:53,60\n")
    result = runner.invoke(app, ["detect-anomalies", "--input", str(src)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "timestamp,value,anomaly_score",
        "2015-02-26 21:42:53,53,0.000000",
        "2015-02-26 21:47:53,60,0.000000",
    ]


def test_bad_value_names_the_line(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("timestamp,value\n2015-02-26 21:42:53,53\n2015-02-26 21:47:53,lots\n")
    result = runner.invoke(app, ["detect-anomalies", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 2
    assert "line 3" in result.output and "'lots' is not a number" in result.output
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_bad_timestamp_names_the_line(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("timestamp,value\n2015-02-26 21:42:53,53\n2015-02-26 21:47:53,54\nyesterday,3\n")
    result = runner.invoke(app, ["detect-anomalies", "--input", str(src)])
    assert result.exit_code == 2
    assert "line 4: bad timestamp 'yesterday'" in result.output


def test_missing_header_is_reported(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("2015-02-26 21:42:53,53\n")
    result = runner.invoke(app, ["detect-anomalies", "--input", str(src)])
    assert result.exit_code == 2
    assert "line 1" in result.output
