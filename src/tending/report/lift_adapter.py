"""The sales-lift section of the campaign report, on `tending.lift` (imported here so that the report
says "not available" instead of failing where that module is absent).

The KPI's imported values, one per UTC day (the last one recorded that day), form the outcome series (its
daily increments when the values never fall: a running total, as KPI targets are usually set); the
pre period is every day before launch and the post period every day from launch on. The band is the 95%
interval of the counterfactual: what the series would have done without the campaign.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

import numpy as np

from tending.lift.service import MIN_PRE_PERIODS, LiftInputError, estimate_lift
from tending.report import charts
from tending.report.framework import Chart, Section, Table, slug

SIMULATIONS = 500


def _daily(points: list[tuple[datetime, float]]) -> list[tuple[date, float]]:
    per_day: dict[date, float] = {}
    for at, value in sorted(points):
        per_day[at.astimezone(UTC).date()] = float(value)
    return sorted(per_day.items())


def _increments(days: list[tuple[date, float]]) -> list[tuple[date, float]]:
    """Per-day change of a running total (spread evenly over days without a value)."""
    return [(d, (v - pv) / max((d - pd).days, 1)) for (pd, pv), (d, v) in pairwise(days)]


def is_running_total(days: list[tuple[date, float]]) -> bool:
    """Sales imported as "total so far" never fall; daily figures do, now and then."""
    diffs = [b - a for (_, a), (_, b) in pairwise(days)]
    return bool(diffs) and all(x >= 0 for x in diffs) and any(x > 0 for x in diffs)


def _aligned_controls(
    days: list[tuple[date, float]], controls: dict[str, dict[str, float]], *, running_total: bool
) -> tuple[list[str], np.ndarray | None]:
    """Controls that have a value on every day of the outcome, transformed like it (daily increments
    when the outcome is a running total); a control with gaps is left out rather than guessed."""
    names, columns = [], []
    for name, values in sorted(controls.items()):
        series = [(d, values.get(d.isoformat())) for d, _ in days]
        if any(v is None for _, v in series):
            continue
        full = [(d, float(v)) for d, v in series if v is not None]
        names.append(name)
        columns.append([v for _, v in (_increments(full) if running_total else full)])
    return names, (np.column_stack(columns) if columns else None)


def lift_figures(
    *,
    kpi_name: str,
    points: list[tuple[datetime, float]],
    launch: datetime,
    title: str,
    controls: dict[str, dict[str, float]] | None = None,
) -> Section:
    days = _daily(points)
    running_total = is_running_total(days)
    control_names, x = _aligned_controls(days, controls or {}, running_total=running_total)
    if running_total:
        days = _increments(days)
    launch_day = launch.astimezone(UTC).date()
    n_pre = sum(1 for d, _ in days if d < launch_day)
    n_post = len(days) - n_pre
    if n_pre < MIN_PRE_PERIODS or n_post < 1:
        return Section(
            title,
            notes=[
                f"{n_pre} days of {kpi_name} before launch and {n_post} after: the counterfactual needs at "
                f"least {MIN_PRE_PERIODS} days before launch and one after."
            ],
            available=False,
        )
    y = np.asarray([v for _, v in days], dtype=float)
    labels = [d.isoformat() for d, _ in days]
    try:
        result = estimate_lift(
            y=y,
            x=x,
            pre=(0, n_pre - 1),
            post=(n_pre, len(days) - 1),
            labels=labels,
            n_simulations=SIMULATIONS,
        )
    except LiftInputError as exc:
        return Section(title, notes=[str(exc)], available=False)
    s = result.summary
    when = [datetime.fromisoformat(label).replace(tzinfo=UTC) for label in result.labels]
    rows = [
        [label, round(float(o), 2), round(float(p), 2), round(float(lo), 2), round(float(hi), 2)]
        for label, o, p, lo, hi in zip(
            result.labels,
            result.observed,
            result.predicted,
            result.predicted_lower,
            result.predicted_upper,
            strict=True,
        )
    ]
    post = slice(result.post_start, None)
    chart = Chart(
        f"{kpi_name}: observed against the counterfactual without the campaign",
        alt=(
            f"Line chart of {kpi_name} per day, observed against the expected path without the campaign and "
            f"its 95% band, from launch on {launch_day}; "
            f"cumulative effect {s.cumulative_effect.estimate:,.0f} "
            f"(95% interval {s.cumulative_effect.lower:,.0f} to {s.cumulative_effect.upper:,.0f})."
        ),
        drawing=charts.line_chart(
            x=when,
            series=[
                ("observed", [float(v) for v in result.observed], "solid"),
                (
                    "without the campaign",
                    [None] * result.post_start + [float(v) for v in result.predicted[post]],
                    "dashed",
                ),
            ],
            band=(
                when[post],
                list(result.predicted_lower[post]),
                list(result.predicted_upper[post]),
                "95% band",
            ),
            vline=(datetime.combine(launch_day, datetime.min.time(), tzinfo=UTC), "launch"),
        ),
        table=Table(
            f"lift-{slug(kpi_name)}",
            f"{kpi_name}: observed and counterfactual",
            ["day", "observed", "counterfactual", "band low", "band high"],
            rows,
        ),
    )
    reading = (
        " The values only ever rise, so they are read as a running total and the lift is estimated on the"
        " daily increments."
        if running_total
        else ""
    )
    if control_names:
        reading += (
            f" Control series (what the outcome follows without the campaign): {', '.join(control_names)}."
        )
    elif controls:
        reading += " Imported control series were left out: they lack values on some of the outcome's days."
    verdict = (
        "the campaign most likely changed it" if s.significant else "no effect distinguishable from chance"
    )
    return Section(
        title,
        notes=[
            f"Pre period: {n_pre} days before launch; post period: {n_post} days from launch. "
            f"Verdict: {verdict}.{reading}"
        ],
        figures=[
            ("Cumulative effect", f"{s.cumulative_effect.estimate:,.0f}"),
            ("95% interval", f"{s.cumulative_effect.lower:,.0f} to {s.cumulative_effect.upper:,.0f}"),
            ("Relative effect", f"{100 * s.relative_effect.estimate:.1f}%"),
            ("Probability of an effect", f"{100 * s.probability_of_effect:.1f}%"),
        ],
        charts=[chart],
    )
