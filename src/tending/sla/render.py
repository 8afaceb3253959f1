"""Response figures as JSON, CSV (long format: one figure per row) or a self-contained HTML page."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tending.csvsafe import safe_writer
from tending.formatting import FILTERS, hours, pct
from tending.sla.figures import WEEKDAYS, ResponseFigures, TimeStats

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STAT_FIELDS = tuple(TimeStats.__dataclass_fields__)


def to_json(figures: ResponseFigures) -> str:
    return json.dumps(figures.as_dict(), indent=2, ensure_ascii=False)


def to_csv(figures: ResponseFigures) -> str:
    out = io.StringIO()
    writer = safe_writer(out)
    writer.writerow(["section", "group", "figure", "value"])

    def stats(section: str, group: str, s: TimeStats) -> None:
        for name in STAT_FIELDS:
            value = getattr(s, name)
            writer.writerow([section, group, name, "" if value is None else value])

    stats("overall", "all", figures.overall)
    for bucket in figures.unanswered:
        writer.writerow(["unanswered", bucket.label, "count", bucket.count])
        writer.writerow(["unanswered", bucket.label, "off_hours", bucket.off_hours])
    for name, s in figures.per_channel.items():
        stats("channel", name, s)
    for name, s in figures.per_member.items():
        stats("member", name, s)
    for d, row in enumerate(figures.heatmap):
        for h, count in enumerate(row):
            if count:
                writer.writerow(["heatmap", f"{WEEKDAYS[d]} {h:02d}:00", "arrivals", count])
    return out.getvalue()


def to_html(figures: ResponseFigures) -> str:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html"], default_for_string=True),
    )
    # The dashboard's formatters, so the exported page reads like the desk.
    env.filters.update(FILTERS)
    env.filters["hm"] = hours
    env.filters["pct"] = lambda value: pct(value, 1)
    peak = max((c for row in figures.heatmap for c in row), default=0)
    context: dict[str, Any] = {"f": figures, "weekdays": WEEKDAYS, "peak": peak or 1}
    return env.get_template("reports/responses.html").render(**context)


RENDERERS = {"json": to_json, "csv": to_csv, "html": to_html}
