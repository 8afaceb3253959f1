"""Every command that reads a file answers a file it cannot read with one clear line, naming the file and
the line, and a non-zero exit: binary input, UTF-16 (by its byte-order mark), bytes that are not UTF-8,
a CSV field over the csv module's limit, a quote never closed, malformed JSON. Never a traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tending.cli import app

runner = CliRunner()
HUGE = "x" * (200 * 1024)

BAD_FILES: dict[str, tuple[str, bytes, str]] = {
    # kind: (suffix, content, what the line must say)
    "zip": (".csv", b"PK\x03\x04\x14\x00\x00\x00binary", "a ZIP archive"),
    "binary": (".csv", b"timestamp,value\n\x00\x01\x02\x03\xff\xfe", "line 2: NUL bytes"),
    "utf16": (
        ".csv",
        "timestamp,value\n2026-01-01,1\n".encode("utf-16"),
        "UTF-16 (little-endian), by its byte-order mark",
    ),
    "latin1": (
        ".csv",
        b"timestamp,value\n2026-01-01,1\ncaf\xe9,2\n",
        "line 3: byte 0xe9 at column 4 is not UTF-8",
    ),
}


def _commands(channel: int | None) -> dict[str, Callable[[Path], list[str]]]:
    return {
        "classify": lambda p: ["classify", "--input", str(p)],
        "classify --text-column": lambda p: ["classify", "--input", str(p), "--text-column", "value"],
        "triage": lambda p: ["triage", str(p)],
        "audit accounts": lambda p: ["audit", "accounts", "--input", str(p)],
        "detect-anomalies": lambda p: ["detect-anomalies", "--input", str(p)],
        "lift": lambda p: ["lift", "--input", str(p), "--pre", "0", "20", "--post", "21", "30"],
    }


def _one_clear_line(result: Any, *expected: str) -> None:
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    text = result.stderr.strip()
    assert len(text.splitlines()) == 1, text
    for piece in expected:
        assert piece in text, text


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("command", sorted(_commands(None)))
def test_file_reading_commands_name_an_unreadable_file_in_one_line(
    command: str, kind: str, tmp_path: Path
) -> None:
    suffix, content, expected = BAD_FILES[kind]
    src = tmp_path / f"input{suffix}"
    src.write_bytes(content)
    result = runner.invoke(app, _commands(None)[command](src))
    _one_clear_line(result, "input.csv", expected)


@pytest.mark.parametrize(
    ("command", "content", "expected"),
    [
        (["triage"], b'{"text": "fine"}\n{"text": "broken",\n', "input.jsonl, line 2: not valid JSON"),
        (["triage"], b'{"text": "fine"}\n[1, 2]\n', "input.jsonl, line 2: not a JSON object"),
    ],
)
def test_malformed_json_is_named_by_line(
    command: list[str], content: bytes, expected: str, tmp_path: Path
) -> None:
    src = tmp_path / "input.jsonl"
    src.write_bytes(content)
    _one_clear_line(runner.invoke(app, [*command, str(src)]), expected)


CSV_FAULTS = {
    "field over the csv limit": (
        f"timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,{HUGE}\n",
        "line 3: a field longer than 131,072 characters",
    ),
    "unclosed quote": (
        'timestamp,value\n2026-01-01 00:00:00,1\n"2026-01-01 00:05:00,2\n2026-01-01 00:10:00,3\n',
        "line 3: a quote opened on this line is never closed",
    ),
}


@pytest.mark.parametrize("fault", sorted(CSV_FAULTS))
@pytest.mark.parametrize(
    "argv",
    [
        ["detect-anomalies", "--input"],
        ["audit", "accounts", "--input"],
        ["classify", "--text-column", "value", "--input"],
        ["triage"],
    ],
    ids=lambda a: a[0],
)
def test_csv_faults_are_named_by_line(argv: list[str], fault: str, tmp_path: Path) -> None:
    content, expected = CSV_FAULTS[fault]
    src = tmp_path / "input.csv"
    src.write_text(
        content.replace("timestamp,", "timestamp,id,").replace(",1\n", ",a,1\n")
        if "audit" in argv
        else content
    )
    _one_clear_line(runner.invoke(app, [*argv, str(src)]), "input.csv", expected)


@pytest.fixture()
def cli_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A channel in a database file the CLI opens through its settings (these tests are about files)."""
    from tending.channel.models import Channel
    from tending.config import get_settings
    from tending.database.cli_support import open_database
    from tending.workspace.models import Workspace

    monkeypatch.setenv("TENDING_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TENDING_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    with open_database()() as s:
        ws = Workspace(name="Acme", slug="acme")
        s.add(ws)
        s.flush()
        s.add(channel := Channel(workspace_id=ws.id, network="fake", name="Acme", external_id="a1"))
        s.commit()
        yield channel.id
    get_settings.cache_clear()


def test_import_metrics_names_the_bad_line(cli_channel: int, tmp_path: Path) -> None:
    for content, expected in [
        (b"date,followers\n2026-01-01,10\n2026-01-02,caf\xe9\n", "line 3: byte 0xe9"),
        (f"date,followers\n2026-01-01,{HUGE}\n".encode(), "line 2: a field longer than"),
        (b"\xff\xfed\x00a\x00", "UTF-16"),
    ]:
        src = tmp_path / "figures.csv"
        src.write_bytes(content)
        result = runner.invoke(app, ["import-metrics", str(src), "--channel", str(cli_channel)])
        _one_clear_line(result, "figures.csv", expected)


def test_import_of_a_binary_file_fails_in_one_line(cli_channel: int, tmp_path: Path) -> None:
    src = tmp_path / "export.jsonl"
    src.write_bytes(b"\x1f\x8b\x08\x00gzipped")
    result = runner.invoke(app, ["import", str(src), "--channel", str(cli_channel)])
    _one_clear_line(result, "export.jsonl: this is a gzip archive")


def test_import_names_each_bad_line_and_stores_the_rest(cli_channel: int, tmp_path: Path) -> None:
    src = tmp_path / "feed.csv"
    src.write_bytes(
        b"id,text,created_at\n"
        b"m1,ok,2026-01-01T10:00:00Z\n"
        b"m2,caf\xe9,2026-01-01T10:01:00Z\n"
        + f"m3,{HUGE},2026-01-01T10:02:00Z\n".encode()
        + b"m4,fine,2026-01-01T10:03:00Z\n"
    )
    result = runner.invoke(app, ["import", str(src), "--channel", str(cli_channel)])
    assert (result.exit_code == 1 and result.exception is None) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "feed.csv: 4 records, 2 new messages" in result.output
    assert "feed.csv:3: byte 0xe9 at column 7 is not UTF-8" in result.output
    assert "feed.csv:4: a field longer than 131,072 characters" in result.output
