"""Report charts: the numbers for the browser (drawn by static/charts.js with the vendored Chart.js, in
the dashboard's own light or dark colours) and a PNG for PDFs and e-mail, which cannot run scripts.

The PNG is drawn only when an output asks for it: matplotlib takes a few hundred milliseconds a chart,
and a dashboard page needs none. Each image carries its own white card background and dark ink; the
numbers behind a chart are always given as a table next to it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

INK, MUTED, ACCENT, BAD, BAND = "#1c1d1f", "#5b5f66", "#0b5cad", "#a4161a", "#9cc3ea"


@dataclass
class Drawing:
    """One chart: `kind` and `spec` for the browser, `image` (a PNG data URI) drawn on first use."""

    kind: str  # "line", "bar" or "heatmap"
    spec: dict[str, Any]
    draw: Callable[[], str]

    @cached_property
    def image(self) -> str:
        return self.draw()


def _plain(values: Sequence[float | None]) -> list[float | None]:
    """Plain floats for JSON (values may come as numpy scalars)."""
    return [None if v is None else float(v) for v in values]


def _day(t: datetime) -> str:
    return t.date().isoformat()


def _num(times: Sequence[datetime]) -> list[float]:
    """Dates as matplotlib day numbers (what its date axis plots)."""
    return [float(mdates.date2num(t)) for t in times]


def _figure(width: float = 7.0, height: float = 2.8) -> tuple[Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    fig.patch.set_facecolor("white")
    ax.set_facecolor("white")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.tick_params(colors=INK, labelsize=8)
    return fig, ax


def _data_uri(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", facecolor="white")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def line_chart(
    *,
    x: Sequence[datetime],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    band: tuple[Sequence[datetime], Sequence[float], Sequence[float], str] | None = None,
    hline: tuple[float, str] | None = None,
    vline: tuple[datetime, str] | None = None,
    ylabel: str = "",
) -> Drawing:
    """Lines (label, values, style: 'solid' or 'dashed'), an optional shaded band and reference lines."""
    labels = [_day(t) for t in x]
    spec: dict[str, Any] = {
        "labels": labels,
        "series": [{"label": lb, "data": _plain(v), "dashed": st == "dashed"} for lb, v, st in series],
        "ylabel": ylabel,
    }
    if band is not None:
        where = {_day(t): i for i, t in enumerate(band[0])}
        lo = _plain([band[1][where[d]] if d in where else None for d in labels])
        hi = _plain([band[2][where[d]] if d in where else None for d in labels])
        spec["band"] = {"label": band[3], "low": lo, "high": hi}
    if hline is not None:
        spec["hline"] = {"value": float(hline[0]), "label": hline[1]}
    if vline is not None:
        spec["vline"] = {"at": _day(vline[0]), "label": vline[1]}
    return Drawing(
        "line",
        spec,
        partial(_line_png, x=x, series=series, band=band, hline=hline, vline=vline, ylabel=ylabel),
    )


def _line_png(
    *,
    x: Sequence[datetime],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    band: tuple[Sequence[datetime], Sequence[float], Sequence[float], str] | None,
    hline: tuple[float, str] | None,
    vline: tuple[datetime, str] | None,
    ylabel: str,
) -> str:
    fig, ax = _figure()
    if band is not None:
        bx, lo, hi, label = band
        ax.fill_between(_num(bx), list(lo), list(hi), color=BAND, alpha=0.6, label=label, linewidth=0)
    colours = [ACCENT, MUTED, BAD]
    for i, (label, values, style) in enumerate(series):
        pts = [(t, v) for t, v in zip(x, values, strict=True) if v is not None]
        if pts:
            ax.plot(
                _num([p[0] for p in pts]),
                [p[1] for p in pts],
                label=label,
                color=colours[i % len(colours)],
                linestyle="--" if style == "dashed" else "-",
                linewidth=1.6,
            )
    if hline is not None:
        ax.axhline(hline[0], color=BAD, linestyle=":", linewidth=1.2, label=hline[1])
    if vline is not None:
        ax.axvline(float(mdates.date2num(vline[0])), color=INK, linestyle=":", linewidth=1.0, label=vline[1])
    ax.set_ylabel(ylabel, color=INK, fontsize=8)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d"))
    fig.autofmt_xdate()
    ax.legend(fontsize=7, frameon=False, labelcolor=INK)
    return _data_uri(fig)


def bar_chart(
    *,
    labels: Sequence[str],
    values: Sequence[float],
    highlight: Sequence[float] | None = None,
    label: str = "",
    highlight_label: str = "",
) -> Drawing:
    """Bars, with an optional overlaid part (e.g. the off-hours share of each bar) in the warning colour."""
    spec: dict[str, Any] = {"labels": list(labels), "values": _plain(values), "label": label}
    if highlight is not None:
        spec["highlight"] = {"values": _plain(highlight), "label": highlight_label}
    return Drawing(
        "bar",
        spec,
        partial(
            _bar_png,
            labels=labels,
            values=values,
            highlight=highlight,
            label=label,
            highlight_label=highlight_label,
        ),
    )


def _bar_png(
    *,
    labels: Sequence[str],
    values: Sequence[float],
    highlight: Sequence[float] | None,
    label: str,
    highlight_label: str,
) -> str:
    fig, ax = _figure(height=2.4)
    xs = range(len(labels))
    ax.bar(xs, values, color=ACCENT, label=label)
    if highlight is not None:
        ax.bar(xs, highlight, color=BAD, label=highlight_label)
    ax.set_xticks(list(xs), list(labels))
    if label or highlight_label:
        ax.legend(fontsize=7, frameon=False, labelcolor=INK)
    return _data_uri(fig)


def heatmap(*, rows: Sequence[str], grid: Sequence[Sequence[float]], label: str) -> Drawing:
    """Weekday x hour counts; darker is more. The page shows it as a shaded table (no script needed)."""
    top = max((v for r in grid for v in r), default=0) or 1
    cells = [
        [{"value": int(v) if float(v).is_integer() else float(v), "level": round(9 * v / top)} for v in r]
        for r in grid
    ]
    spec = {"rows": list(rows), "hours": [f"{h:02d}" for h in range(24)], "cells": cells, "label": label}
    return Drawing("heatmap", spec, partial(_heatmap_png, rows=rows, grid=grid, label=label))


def _heatmap_png(*, rows: Sequence[str], grid: Sequence[Sequence[float]], label: str) -> str:
    fig, ax = _figure(height=2.6)
    image = ax.imshow([list(r) for r in grid], aspect="auto", cmap="Blues", interpolation="nearest")
    ax.set_yticks(range(len(rows)), list(rows))
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("hour of day", color=INK, fontsize=8)
    bar = fig.colorbar(image, ax=ax, fraction=0.03)
    bar.set_label(label, fontsize=7, color=INK)
    bar.ax.tick_params(labelsize=7, colors=INK)
    return _data_uri(fig)
