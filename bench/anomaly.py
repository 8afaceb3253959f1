"""Spike detection on NAB realTweets: NAB scores (three profiles) and throughput.

    /work/main/.venv/bin/python bench/anomaly.py [--data-dir ../shared/data/nab-realtweets]

Each file goes through `tending detect-anomalies`'s code path (`detect_stream`: CSV in, CSV out), the
written scores are read back and scored with `tending.detection.nab` against
`combined_windows.realTweets.json`, one threshold per profile chosen over the whole corpus as NAB does.
Skips (exit 0) when the data folder is absent.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tending.detection.csvstream import detect_stream, read_rows  # noqa: E402
from tending.detection.detector import DetectorConfig, score_batch  # noqa: E402
from tending.detection.nab import (  # noqa: E402
    PROFILES,
    FileLayout,
    Profile,
    layout_file,
    load_windows,
    raw_at,
    score_corpus,
    sweep_file,
)

WINDOWS_FILE = "combined_windows.realTweets.json"


def _read_output(text: str) -> tuple[np.ndarray, np.ndarray]:
    reader = csv.reader(io.StringIO(text))
    next(reader)
    stamps, scores = [], []
    for ts, _value, score in reader:
        stamps.append(np.datetime64(ts.replace(" ", "T"), "us"))
        scores.append(float(score))
    return np.array(stamps, dtype="datetime64[us]"), np.array(scores, dtype=np.float64)


def leave_one_file_out(
    scores: dict[str, np.ndarray], layouts: dict[str, FileLayout], profile: Profile
) -> float:
    """NAB score when each file is scored at the threshold chosen on the other files only.

    NAB's own rule picks the threshold on the whole corpus (labels included); this shows how much of
    the figure depends on that choice.
    """
    raw = 0.0
    for held_out in layouts:
        rest = {name: layout for name, layout in layouts.items() if name != held_out}
        threshold = score_corpus(scores, rest, profile).threshold
        raw += raw_at(sweep_file(scores[held_out], layouts[held_out], profile), threshold)
    n_windows = sum(layout.n_windows for layout in layouts.values())
    null, perfect = -profile.fn_weight * n_windows, profile.tp_weight * n_windows
    return 100.0 * (raw - null) / (perfect - null)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".." / "shared" / "data" / "nab-realtweets")
    parser.add_argument("--repeat", type=int, default=3, help="Timing repeats (best is reported).")
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()
    windows_path = data_dir / WINDOWS_FILE
    if not windows_path.exists():
        print(f"SKIP: NAB realTweets not found at {data_dir} (needs {WINDOWS_FILE} and the CSV files)")
        return 0
    windows = load_windows(windows_path)
    files = sorted(p for p in data_dir.glob("*.csv") if p.name in windows)

    scores: dict[str, np.ndarray] = {}
    layouts: dict[str, FileLayout] = {}
    best_elapsed = float("inf")
    total_rows = 0
    for attempt in range(max(1, args.repeat)):
        elapsed = 0.0
        total_rows = 0
        for path in files:
            sink = io.StringIO()
            start = time.perf_counter()
            with path.open(encoding="utf-8", newline="") as src:
                total_rows += detect_stream(src, sink, source=str(path))
            elapsed += time.perf_counter() - start
            if attempt == 0:
                stamps, file_scores = _read_output(sink.getvalue())
                scores[path.name] = file_scores
                layouts[path.name] = layout_file(stamps, windows[path.name])
        best_elapsed = min(best_elapsed, elapsed)

    n_windows = sum(layout.n_windows for layout in layouts.values())
    print(f"NAB realTweets: {len(files)} files, {total_rows} rows, {n_windows} windows")
    print(f"{'profile':<22}{'score':>8}{'raw':>9}{'null':>8}{'perfect':>9}{'threshold':>11}{'LOFO':>8}")
    for profile in PROFILES:
        result = score_corpus(scores, layouts, profile)
        print(
            f"{result.profile:<22}{result.score:>8.1f}{result.raw:>9.2f}{result.null:>8.1f}"
            f"{result.perfect:>9.1f}{result.threshold:>11.4f}"
            f"{leave_one_file_out(scores, layouts, profile):>8.1f}"
        )
    print(
        f"throughput: {total_rows / best_elapsed:,.0f} points/s (CSV parse + detect + CSV write, best of "
        f"{max(1, args.repeat)})"
    )
    arrays = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as src:
            rows = list(read_rows(src, source=str(path)))
        arrays.append((np.array([r.epoch for r in rows]), np.array([r.value for r in rows])))
    config = DetectorConfig(step_seconds=300)
    best_batch = float("inf")
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        for epochs, values in arrays:
            score_batch(epochs, values, config=config)
        best_batch = min(best_batch, time.perf_counter() - start)
    print(f"throughput: {total_rows / best_batch:,.0f} points/s (score_batch alone, in-memory arrays)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
