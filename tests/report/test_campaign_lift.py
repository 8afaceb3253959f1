"""The sales-lift section, run only where `tending.lift` is installed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tending.report.campaign import lift_section

pytest.importorskip("tending.lift.service", reason="sales-lift estimation (tending.lift) is not installed")

LAUNCH = datetime(2026, 3, 15, tzinfo=UTC)


def test_lift_section_plots_observed_against_the_band() -> None:
    from tending.report.lift_adapter import lift_figures

    days = [LAUNCH + timedelta(days=d) for d in range(-20, 8)]
    noise = [0.0, 1.5, -1.0, 0.5, -0.5, 1.0, -1.5, 0.0, 0.8, -0.8]
    points = [(d, 100.0 + noise[i % 10] + (60.0 if d >= LAUNCH else 0.0)) for i, d in enumerate(days)]
    section = lift_figures(kpi_name="Bags sold", points=points, launch=LAUNCH, title="Sales lift")
    assert section.available, section.notes
    figures = dict(section.figures)
    effect = float(figures["Cumulative effect"].replace(",", ""))
    assert 8 * 60 * 0.7 < effect < 8 * 60 * 1.3  # 60 a day for 8 days, within model noise
    table = section.charts[0].table
    assert table is not None and len(table.rows) == 28
    assert section.charts[0].image.startswith("data:image/png;base64,")


def test_lift_needs_history_before_launch() -> None:
    from tending.report.lift_adapter import lift_figures

    points = [(LAUNCH + timedelta(days=d), 10.0) for d in range(-3, 3)]
    section = lift_figures(kpi_name="Bags sold", points=points, launch=LAUNCH, title="Sales lift")
    assert not section.available and "at least" in section.notes[0]


def test_unlaunched_campaign_has_no_lift(session) -> None:
    from tending.campaign.models import Kpi

    section = lift_section(session, kpi=Kpi(id=1, name="Bags sold", metric="sales"), launch=None, now=LAUNCH)
    assert not section.available


def test_campaign_page_shows_the_lift_plot(client, factory, world, seeded) -> None:
    from tests.conftest import login
    from tests.report.conftest import MON

    from tending.campaign.models import Kpi, KpiMeasurement

    with factory() as s:
        kpi = s.query(Kpi).filter_by(campaign_id=seeded.campaign_id).one()
        for d in range(1, 13):
            s.add(KpiMeasurement(kpi_id=kpi.id, at=MON - timedelta(days=d), value=20.0 + (d % 3)))
        s.commit()
    login(client, "mia@acme.test")
    page = client.get(f"/w/acme/reports/campaign?campaign={seeded.campaign_id}")
    assert page.status_code == 200
    assert "Sales lift: Bags sold" in page.text and "Cumulative effect" in page.text
    assert 'aria-label="Line chart of Bags sold per day, observed against the expected path' in page.text
    assert 'data-report-chart="line"' in page.text
    table = client.get(
        f"/w/acme/reports/campaign/tables/lift-bags-sold.csv?campaign={seeded.campaign_id}"
    ).text
    assert table.splitlines()[0] == "day,observed,counterfactual,band low,band high"
    assert len(table.splitlines()) == 1 + 12 + 4


def test_running_totals_are_read_as_daily_increments() -> None:
    from tending.report.lift_adapter import lift_figures

    days = [LAUNCH + timedelta(days=d) for d in range(-15, 6)]
    daily = [50.0 + (i % 4) + (40.0 if d >= LAUNCH else 0.0) for i, d in enumerate(days)]
    totals = [sum(daily[: i + 1]) for i in range(len(daily))]
    section = lift_figures(
        kpi_name="Bags sold", points=list(zip(days, totals, strict=True)), launch=LAUNCH, title="Sales lift"
    )
    assert section.available and "running total" in section.notes[0]
    effect = float(dict(section.figures)["Cumulative effect"].replace(",", ""))
    assert 6 * 40 * 0.6 < effect < 6 * 40 * 1.4
