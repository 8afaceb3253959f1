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
from typing import Any

import orjson

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


class InputFileError(ValueError):
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
    for bom, name in _BOMS:
        if head.startswith(bom):
            raise InputFileError(
                f"{path.name}: the file is {name} (it starts with that byte-order mark); {EXPECTED}"
            )
    for magic, name in _MAGIC:
        if head.startswith(magic):
            raise InputFileError(f"{path.name}: this is {name}, not a text file; {EXPECTED}")
    if b"\x00" in head:
        line = head.count(b"\n", 0, head.index(b"\x00")) + 1
        raise InputFileError(
            f"{path.name}, line {line}: NUL bytes, this looks like a binary file; {EXPECTED}"
        )


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

    With `strict` a line that is not UTF-8 raises InputFileError naming it; otherwise it is decoded with
    replacement characters and its number is kept in `bad_lines`, so a reader can set aside just the
    record it belongs to.
    """

    def __init__(self, path: Path, *, strict: bool = True) -> None:
        check_text_file(path)
        self.path = path
        self.strict = strict
        self.line = 0
        self.bad_lines: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        with self.path.open("rb") as fh:
            for n, data in enumerate(fh, start=1):
                self.line = n
                if n == 1 and data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]
                try:
                    yield data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    reason = not_utf8(data, exc)
                    if self.strict:
                        raise InputFileError(f"{self.path.name}, line {n}: {reason}") from None
                    self.bad_lines[n] = reason
                    yield data.decode("utf-8", "replace")


def read_text(path: Path) -> str:
    """The whole file as text, for inputs small enough to read at once (series, lists)."""
    return "".join(TextLines(path))


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


def csv_records(lines: Iterable[str], *, source: str) -> Iterator[tuple[int, dict[str, str]]]:
    """A CSV with a header row as (line, {column: value}) for the commands that read a whole file: the
    first record the csv module cannot read ends it with InputFileError naming the line."""
    rows = csv_rows(lines)
    first = next(rows, None)
    if first is None:
        return
    if isinstance(first[1], CsvProblem):
        raise InputFileError(f"{source}, line {first[0]}: {first[1]}")
    header = first[1]
    for n, row in rows:
        if isinstance(row, CsvProblem):
            raise InputFileError(f"{source}, line {n}: {row}")
        if row:
            yield n, dict(zip(header, row, strict=False))


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
