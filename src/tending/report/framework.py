"""What every report is made of: plain dataclasses that the HTML page, the PDF, the CLI and the table
exports all read, so the four outputs cannot disagree on a figure."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson

from tending.csvsafe import safe_writer

# Report modules format through the desk's one formatter set.
from tending.formatting import hours as hours
from tending.formatting import pct as pct
from tending.report.charts import Drawing


@dataclass
class Table:
    """One table of a report; `key` names its CSV/JSON download."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    caption: str = ""
    highlight_column: str | None = None  # a boolean column whose true rows are shown highlighted
    wide_column: str | None = None  # free text (a customer's message): given most of the width

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class Chart:
    """A chart: drawn in the browser on the dashboard, as a PNG in PDFs and e-mail; `alt` describes it in
    words and `table` holds the plotted numbers for readers who cannot see it."""

    title: str
    alt: str
    drawing: Drawing
    table: Table | None = None

    @property
    def image(self) -> str:
        """data:image/png;base64,... (drawn on first use)."""
        return self.drawing.image


@dataclass
class Section:
    title: str
    notes: list[str] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)  # (label, formatted value)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    available: bool = True  # False: the feature behind this section is not installed


@dataclass
class ReportData:
    kind: str
    title: str
    workspace_name: str
    workspace_slug: str
    since: datetime
    until: datetime
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)
    subject: str = ""  # a one-line summary, used as the e-mail subject of the digest

    def tables(self) -> list[Table]:
        found: list[Table] = []
        for s in self.sections:
            found.extend(s.tables)
            found.extend(c.table for c in s.charts if c.table is not None)
        return found

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables() if t.key == key), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "workspace": self.workspace_slug,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "sections": [
                {
                    "title": s.title,
                    "available": s.available,
                    "notes": s.notes,
                    "figures": dict(s.figures),
                    "charts": [{"title": c.title, "alt": c.alt} for c in s.charts],
                    "tables": {t.key: t.as_dicts() for t in s.tables},
                }
                for s in self.sections
            ],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = safe_writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])
    return out.getvalue()


def table_json(table: Table) -> bytes:
    return orjson.dumps(table.as_dicts(), option=orjson.OPT_INDENT_2)


def report_json(report: ReportData) -> bytes:
    return orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"
