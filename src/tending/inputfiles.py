"""Reading the files people hand to tending (imports, series, profile lists): one way to open and decode
them, so that every command says the same clear line about a file it cannot read, naming the line.

Files are UTF-8 (a UTF-8 byte-order mark is fine). A UTF-16 or UTF-32 byte-order mark, NUL bytes (a
spreadsheet, an archive, an image), bytes that are not UTF-8, a CSV field over the csv module's limit or
a quote left open are each reported as such, with what to do about it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from tending.errors import Refused

SNIFF_BYTES = 64 * 1024
CSV_FIELD_LIMIT = csv.field_size_limit()  # the csv module's own limit, 131,072 characters by default
EXPECTED = "expected UTF-8 text; save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
)
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx or .docx file is one)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.xls)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


class InputFileError(Refused, ValueError):
    """A file that cannot be read as the command expects; the message is one line naming file and line."""


def check_text_file(path: Path) -> None:
    """Refuse at once a file that is not UTF-8 text: by its byte-order mark, magic number or NUL bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except IsADirectoryError:
        raise InputFileError(f"{path.name}: is a folder, expected a file") from None
    except OSError as exc:
        raise InputFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    check_head(head, path.name)


def check_head(head: bytes, source: str) -> None:
    """The first bytes of an input: a UTF-16/32 byte-order mark, a known binary format or NUL bytes."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            raise InputFileError(f"{source}: the file is {name}, by its byte-order mark; {EXPECTED}")
    for magic, name in _MAGIC:
        if head.startswith(magic):
            raise InputFileError(f"{source}: this is {name}, not a text file; {EXPECTED}")
    nul = head.find(b"\x00", 0, SNIFF_BYTES)
    if nul >= 0:
        line = head.count(b"\n", 0, nul) + 1
        raise InputFileError(f"{source}, line {line}: NUL bytes, so a binary file; {EXPECTED}")


def not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    """Why a line is not UTF-8, with the encoding it most likely is."""
    byte = data[exc.start : exc.start + 1].hex()
    guess = ""
    try:
        data.decode("cp1252")
        guess = " (it looks like Windows-1252 / Latin-1)"
    except UnicodeDecodeError:
        pass
    return f"byte 0x{byte} at column {exc.start + 1} is not UTF-8{guess}; {EXPECTED}"


class TextLines:
    """A file's lines as text, decoded one by one (line endings kept, as the csv module wants them).

    With `sniff` (the default) a binary or UTF-16 file is refused at once (`check_text_file`).
    With `strict` a line that is not UTF-8 raises InputFileError naming it; otherwise it is decoded with
    replacement characters and its number is kept in `bad_lines`, so a reader can set aside just the
    record it belongs to. `stream` reads an open binary stream (standard input) instead of the file.
    """

    def __init__(
        self,
        path: Path | None,
        *,
        strict: bool = True,
        stream: BinaryIO | None = None,
        source: str = "",
        sniff: bool = True,
    ) -> None:
        if path is not None and sniff:
            check_text_file(path)
        self.path = path
        self.stream = stream
        self.source = path.name if path is not None else source or "standard input"
        self.strict = strict
        self.sniff = sniff
        self.line = 0
        self.bad_lines: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        if self.path is None:
            assert self.stream is not None
            yield from self._decode(self.stream)
            return
        with self.path.open("rb") as fh:
            yield from self._decode(fh)

    def _decode(self, fh: Iterable[bytes]) -> Iterator[str]:
        for n, data in enumerate(fh, start=1):
            self.line = n
            if n == 1:
                if data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]
                elif self.path is None and self.sniff:
                    check_head(data, self.source)
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError as exc:
                reason = not_utf8(data, exc)
                if self.strict:
                    raise InputFileError(f"{self.source}, line {n}: {reason}") from None
                self.bad_lines[n] = reason
                yield data.decode("utf-8", "replace")


def read_text(path: Path) -> str:
    """The whole file as text, for inputs small enough to read at once (series, lists)."""
    return "".join(TextLines(path))


def decode_text(data: bytes, *, source: str) -> str:
    """An upload's bytes as text, with the same checks and messages as a file's."""
    check_head(data[:SNIFF_BYTES], source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        line = data[start : len(data) if end < 0 else end]
        number = data.count(b"\n", 0, exc.start) + 1
        at = UnicodeDecodeError(exc.encoding, line, exc.start - start, exc.end - start, exc.reason)
        raise InputFileError(f"{source}, line {number}: {not_utf8(line, at)}") from None


def csv_problem(exc: csv.Error) -> str:
    """What a csv.Error means, in words (the caller names the line the record starts on)."""
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"a field longer than {CSV_FIELD_LIMIT:,} characters (the CSV limit), "
            "or a quote opened on this line and never closed"
        )
    if "unexpected end of data" in text:
        return "a quote opened on this line is never closed (the field would run to the end of the file)"
    if "NUL" in text:
        return f"a NUL byte, which text never holds; {EXPECTED}"
    return f"not valid CSV ({text})"


class CsvProblem(str):
    """A record the csv module could not read, as the reason in words."""


def csv_rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str] | CsvProblem]]:
    """Rows of a CSV as (the line the record starts on, fields), or (line, problem) for a record the csv
    module cannot read; reading goes on after it. Strict quoting, so that a quote left open is reported
    instead of silently taking the rest of the file as one field."""
    reader = csv.reader(lines, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, CsvProblem(csv_problem(exc))
            continue
        yield start, row


def csv_file_rows(path: Path) -> Iterator[tuple[int, list[str] | CsvProblem]]:
    """A CSV file's rows for readers that go record by record: a record the csv module cannot read, or
    one on a line that is not UTF-8, comes as its problem and reading goes on; blank lines are skipped.
    Never raises for the file's content: whoever wants a binary file refused checks it first."""
    lines = TextLines(path, strict=False, sniff=False)
    for n, row in csv_rows(lines):
        if not isinstance(row, CsvProblem):
            bad = next((lines.bad_lines[i] for i in range(n, lines.line + 1) if i in lines.bad_lines), None)
            if bad is not None:
                row = CsvProblem(bad)
            elif not row:
                continue
        yield n, row


def csv_records(
    lines: Iterable[str], *, source: str, required: Iterable[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """A CSV with a header row as (line, {column: value}) for the commands that read a whole file (a
    missing field reads as empty). A missing required column, or the first record the csv module cannot
    read, ends it with InputFileError naming the line."""
    rows = csv_rows(lines)
    first = next(rows, None)
    if first is None or isinstance(first[1], CsvProblem):
        raise InputFileError(
            f"{source}, line 1: {first[1] if first else 'empty file, expected a header row'}"
        )
    header = first[1]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputFileError(
            f"{source}, line 1: no column {', '.join(map(repr, missing))} (columns: {', '.join(header)})"
        )
    for n, row in rows:
        if isinstance(row, CsvProblem):
            raise InputFileError(f"{source}, line {n}: {row}")
        if row:
            yield n, dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))


def json_line(data: bytes | str, *, source: str, line: int) -> Any:
    """One JSON value from one line; InputFileError names the line."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputFileError(f"{source}, line {line}: not valid JSON ({exc.args[0][:80]})") from None


@contextmanager
def reported(what: str = "error") -> Iterator[None]:
    """For commands: an unreadable input file ends the command with its one line and exit status 2."""
    try:
        yield
    except InputFileError as exc:
        import typer

        typer.secho(f"{what}: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
