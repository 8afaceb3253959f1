"""Outcome series for sales/sign-ups KPIs, imported from CSV with optional control series.

The file is what a shop or CRM exports: a date column and numbers. The outcome column (`y`, the KPI's
name, or the first numeric column) becomes the KPI's measurements, one per date; every other numeric
column is kept as a control series for the lift model. Re-importing the same file replaces values
instead of adding them, so a corrected export can simply be imported again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.campaign.models import Kpi, KpiControlValue
from tending.campaign.service import record_kpi_value
from tending.lift.service import LiftInputError, choose_columns, parse_series

MAX_ROWS = 20_000  # about 55 years of days: anything longer is not an outcome export


@dataclass(frozen=True)
class OutcomeImport:
    kpi_id: int
    outcome: str
    controls: list[str] = field(default_factory=list)
    rows: int = 0
    first: str = ""
    last: str = ""


def import_outcomes(
    session: Session, *, kpi: Kpi, text: str, source: str, y: str | None = None
) -> OutcomeImport:
    """Store the file's outcome column as the KPI's values and the other columns as its controls.
    Raises LiftInputError naming the file (and line) when the file cannot be used; nothing is stored then."""
    table = parse_series(text, source=source)
    if not table.dated:
        raise LiftInputError(f"{source}: needs a date column (date, day, week...) to place each value")
    if len(table.frame) > MAX_ROWS:
        raise LiftInputError(f"{source}: {len(table.frame):,} rows; at most {MAX_ROWS:,}")
    if y is None and kpi.name in table.frame.columns:
        y = kpi.name
    outcome, controls = choose_columns(table.frame, y=y, controls=None)
    for col in [outcome, *controls]:
        missing = np.flatnonzero(table.frame[col].isna().to_numpy())
        if missing.size:
            raise LiftInputError(f"{source}, line {int(missing[0]) + 2}: no value in column {col!r}")
    for name in controls:
        if len(name) > 80:
            raise LiftInputError(f"{source}: column name {name[:40]!r}... is longer than 80 characters")
    existing = {
        (c.name, c.at): c
        for c in session.scalars(select(KpiControlValue).where(KpiControlValue.kpi_id == kpi.id))
    }
    for when, row in zip(table.frame.index, table.frame.itertuples(index=False), strict=True):
        at = datetime(when.year, when.month, when.day, tzinfo=UTC)
        values = dict(zip(table.frame.columns, row, strict=True))
        record_kpi_value(
            session, kpi_id=kpi.id, at=at, value=float(values[outcome]), note=f"imported: {source}"
        )
        for name in controls:
            found = existing.get((name, at))
            if found is not None:
                found.value = float(values[name])
            else:
                session.add(KpiControlValue(kpi_id=kpi.id, name=name, at=at, value=float(values[name])))
    session.flush()
    return OutcomeImport(
        kpi_id=kpi.id,
        outcome=outcome,
        controls=controls,
        rows=len(table.frame),
        first=table.labels[0],
        last=table.labels[-1],
    )


def control_series(session: Session, *, kpi_id: int) -> dict[str, dict[str, float]]:
    """{control name: {YYYY-MM-DD: value}} for the lift model."""
    out: dict[str, dict[str, float]] = {}
    for c in session.scalars(
        select(KpiControlValue).where(KpiControlValue.kpi_id == kpi_id).order_by(KpiControlValue.at)
    ):
        out.setdefault(c.name, {})[c.at.astimezone(UTC).date().isoformat()] = c.value
    return out
