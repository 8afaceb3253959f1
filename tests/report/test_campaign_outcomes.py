"""Outcome series imported from CSV for a sales KPI: stored once per day, controls kept, errors named,
and used by the campaign report's lift section."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.conftest import login
from tests.report.conftest import MON

from tending.campaign.models import Kpi, KpiControlValue, KpiMeasurement
from tending.campaign.outcomes import import_outcomes
from tending.lift.service import LiftInputError


def _csv(days: int = 60, effect: float = 40.0, seed: int = 5) -> str:
    """Daily sales that follow a market index, plus `effect` a day from launch (MON) on."""
    rng = random.Random(seed)
    lines = ["date,sales,market"]
    start = MON - timedelta(days=days - 14)
    level = 100.0
    for d in range(days):
        day = start + timedelta(days=d)
        level += rng.gauss(0, 3)
        market = level + rng.gauss(0, 1)
        sales = 2 * market + rng.gauss(0, 2) + (effect if day >= MON else 0.0)
        lines.append(f"{day.date().isoformat()},{sales:.2f},{market:.2f}")
    return "\n".join(lines) + "\n"


def _kpi(factory, seeded) -> int:
    """A fresh sales KPI on the seeded campaign (launched on MON), with no values yet."""
    with factory() as s:
        kpi = Kpi(campaign_id=seeded.campaign_id, name="Online sales", metric="sales", target=9000.0)
        s.add(kpi)
        s.commit()
        return kpi.id


def test_import_stores_outcome_and_controls_once(factory, world, seeded) -> None:
    kpi_id = _kpi(factory, seeded)
    text = _csv()
    with factory() as s:
        kpi = s.get(Kpi, kpi_id)
        done = import_outcomes(s, kpi=kpi, text=text, source="sales.csv")
        import_outcomes(s, kpi=kpi, text=text, source="sales.csv")  # re-import replaces, never adds
        s.commit()
        assert (done.outcome, done.controls, done.rows) == ("sales", ["market"], 60)
        assert s.scalar(select(func.count()).where(KpiMeasurement.kpi_id == kpi_id)) == 60
        assert s.scalar(select(func.count()).where(KpiControlValue.kpi_id == kpi_id)) == 60


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,sales\n2026-03-01,10\nnot-a-day,11\n", "line 3: 'date' is not a date"),
        ("date,sales,market\n2026-03-01,10,1\n2026-03-02,,2\n", "line 3: no value in column 'sales'"),
        ("sales,market\n10,1\n11,2\n", "needs a date column"),
        ("date,sales\n2026-03-01,ten\n", "is not numeric"),
        ("", "empty file"),
    ],
)
def test_bad_files_are_refused_with_the_place_and_nothing_stored(
    factory, world, seeded, text, message
) -> None:
    kpi_id = _kpi(factory, seeded)
    with factory() as s:
        with pytest.raises(LiftInputError, match=message):
            import_outcomes(s, kpi=s.get(Kpi, kpi_id), text=text, source="sales.csv")
        s.rollback()
        assert s.scalar(select(func.count()).where(KpiMeasurement.kpi_id == kpi_id)) == 0


def test_upload_then_report_uses_the_control(client, factory, world, seeded) -> None:
    kpi_id = _kpi(factory, seeded)
    login(client, "mia@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}/campaigns/{seeded.campaign_id}/kpis/{kpi_id}/outcomes"
    r = client.post(base, files={"file": ("sales.csv", _csv(), "text/csv")})
    assert r.status_code == 201, r.text
    assert r.json()["controls"] == ["market"]
    bad = client.post(base, files={"file": ("sales.csv", "date,sales\nxx,1\n", "text/csv")})
    assert bad.status_code == 400 and "line 2" in bad.json()["detail"]
    foreign = (
        f"/api/v1/workspaces/{world.other_workspace.id}/campaigns/{seeded.campaign_id}/kpis/{kpi_id}/outcomes"
    )
    assert client.post(foreign, files={"file": ("s.csv", _csv(), "text/csv")}).status_code in {403, 404}
    page = client.get(f"/w/acme/reports/campaign?campaign={seeded.campaign_id}").text
    assert "Control series (what the outcome follows without the campaign): market." in page


def test_control_series_sharpen_the_estimate(factory, world, seeded) -> None:
    """With the market index the model explains the wandering level; the 14-day effect of 40 a day
    (560 in all) is found, and its interval is narrower than without the control."""
    from tending.report.lift_adapter import lift_figures

    kpi_id = _kpi(factory, seeded)
    with factory() as s:
        import_outcomes(s, kpi=s.get(Kpi, kpi_id), text=_csv(), source="sales.csv")
        points = [
            (m.at, m.value) for m in s.scalars(select(KpiMeasurement).where(KpiMeasurement.kpi_id == kpi_id))
        ]
        from tending.campaign.outcomes import control_series

        controls = control_series(s, kpi_id=kpi_id)

    def width_and_effect(ctrl):
        sec = lift_figures(kpi_name="Bags sold", points=points, launch=MON, title="t", controls=ctrl)
        fig = dict(sec.figures)
        lo, hi = (float(v.replace(",", "")) for v in fig["95% interval"].split(" to "))
        return hi - lo, float(fig["Cumulative effect"].replace(",", ""))

    with_w, with_effect = width_and_effect(controls)
    without_w, _ = width_and_effect(None)
    assert 560 * 0.6 < with_effect < 560 * 1.4
    assert with_w < without_w
