"""Spike detection over any time series (counts or continuous metrics), plus a NAB scorer to measure it.

auto       AutoDetector: types a series from its first day (counts or continuous) and scores it
detector   SpikeDetector (streaming), score_batch, DetectorConfig
csvstream  detect_stream: the `tending detect-anomalies` CSV path
generate   seeded series with known changes and NAB-style windows (for the bench and the tests)
nab        NAB windows and scoring rules
"""
