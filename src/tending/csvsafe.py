"""CSV that a spreadsheet opens as data: every CSV tending writes goes through `safe_writer`.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula, and message text, names and handles come from anyone on the internet
(`=HYPERLINK(...)`, `@SUM(...)`, `-2+3+cmd|' /C calc'!A0`). Such a cell is written with a leading
apostrophe, which spreadsheets show as text. Plain numbers (`-12`, `+3.5`, `-1e-3`) are left as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


class _Sink(Protocol):
    def write(self, s: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """The value, or the text with an apostrophe before it when a spreadsheet would run it.

    A carriage return inside text is written as a newline: the csv module does not quote a field for a
    lone `\r` when rows end in `\n`, and readers would start a new row there."""
    if type(value) is not str:
        return value
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        value = "'" + value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class SafeWriter:
    """`csv.writer` whose every cell passes `safe_cell`."""

    def __init__(self, out: _Sink, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(out: _Sink, *, lineterminator: str = "\n") -> SafeWriter:
    return SafeWriter(out, lineterminator=lineterminator)
