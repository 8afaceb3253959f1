"""Spike and crisis detection over message-volume time series, plus a NAB scorer to measure it.

detector   SpikeDetector (streaming), score_batch, DetectorConfig
csvstream  detect_stream: the `tending detect-anomalies` CSV path
nab        NAB windows and scoring rules
"""
