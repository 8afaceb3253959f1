from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from campaign_world import T0, Brand

from tending.campaign.kpi import kpi_progress
from tending.campaign.launch import launch_campaign
from tending.campaign.models import Campaign
from tending.campaign.service import list_kpis, record_kpi_value
from tending.database.core import utcnow


def _launched(brand: Brand, **kpi: object) -> Campaign:
    campaign = brand.campaign()
    brand.kpi(campaign, **kpi)
    launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    return campaign


def _mentions(brand: Brand, per_day: int, days: int) -> None:
    for d in range(days):
        for i in range(per_day):
            at = T0 + timedelta(days=d, minutes=10 + i)
            brand.message(f"Trying the #springblend today ({d}/{i})", at=at)


@pytest.mark.parametrize(("per_day", "status"), [(4, "on_track"), (1, "behind"), (9, "reached")])
def test_mentions_against_a_linear_trajectory(brand: Brand, per_day: int, status: str) -> None:
    campaign = _launched(brand)  # 100 mentions in 28 days: 50 expected after 14
    _mentions(brand, per_day, 14)
    brand.message("unrelated chatter", at=T0 + timedelta(days=1))
    brand.message(
        "#springblend but on another channel", at=T0 + timedelta(days=1), channel=brand.other_channel
    )
    (progress,) = kpi_progress(brand.session, campaign_id=campaign.id, now=T0 + timedelta(days=14))
    assert progress.source == "computed"
    # One point per UTC day; launch at 09:00 makes the 15th a partial day ending now.
    assert len(progress.points) == 15
    assert progress.points[-1].at == T0 + timedelta(days=14)
    assert progress.latest == per_day * 14
    assert [p.value for p in progress.points[:2]] == [per_day, 2 * per_day]
    assert progress.expected_now == pytest.approx(50.0)
    assert progress.status == status
    assert progress.horizon_at == T0 + timedelta(days=28)
    assert progress.trajectory[0] == (T0, 0.0)
    assert progress.trajectory[-1] == (T0 + timedelta(days=28), 100.0)


def test_positive_share_uses_triage_then_vader(brand: Brand) -> None:
    campaign = _launched(
        brand, name="Warmth", metric="positive_share", target=0.6, horizon_days=14, baseline=0.3
    )
    brand.message("#springblend is wonderful, I love it", at=T0 + timedelta(hours=1))  # VADER positive
    brand.message("#springblend meh", at=T0 + timedelta(hours=2), sentiment="negative")
    brand.message("#springblend ok", at=T0 + timedelta(hours=3), sentiment="positive")
    brand.message("#springblend tastes of nothing", at=T0 + timedelta(days=1, hours=1), sentiment="neutral")
    (progress,) = kpi_progress(brand.session, campaign_id=campaign.id, now=T0 + timedelta(days=2))
    assert [round(p.value, 3) for p in progress.points] == [round(2 / 3, 3), 0.5, 0.5]
    assert progress.status == "on_track"  # expected 0.3 + 0.3 * 2/14 ~ 0.34


def test_replies_count_answers_to_campaign_posts(brand: Brand) -> None:
    campaign = _launched(brand, name="Replies", metric="replies", target=10, horizon_days=10)
    brand.message(
        "Meet the #SpringBlend",
        at=T0 + timedelta(hours=1),
        direction="outbound",
        kind="post",
        thread="launch-post",
    )
    for i in range(3):
        brand.message(f"looks tasty {i}", at=T0 + timedelta(hours=2 + i), thread="launch-post")
    brand.message("unrelated thread", at=T0 + timedelta(hours=2))
    (progress,) = kpi_progress(brand.session, campaign_id=campaign.id, now=T0 + timedelta(days=5))
    assert progress.latest == 3
    assert progress.status == "behind"  # 5 expected at day 5, 10% slack of 10 is 1


def test_imported_sales_follow_a_late_trajectory(brand: Brand) -> None:
    campaign = _launched(
        brand, name="Weekly sales", metric="sales", target=1200, horizon_days=90, baseline=1000
    )
    (kpi,) = list_kpis(brand.session, campaign_id=campaign.id)
    for week, value in enumerate([1000, 1004, 1010, 1018]):
        record_kpi_value(brand.session, kpi_id=kpi.id, at=T0 + timedelta(weeks=week), value=value)
    record_kpi_value(brand.session, kpi_id=kpi.id, at=T0 + timedelta(weeks=3), value=1020, note="corrected")
    (progress,) = kpi_progress(brand.session, campaign_id=campaign.id, now=T0 + timedelta(weeks=3, days=1))
    assert progress.source == "imported"
    assert [p.value for p in progress.points] == [1000, 1004, 1010, 1020]
    # 21 of 90 days: a late effect expects only (21/90)^2 of the +200 by now, about +11.
    assert progress.expected_now == pytest.approx(1000 + 200 * (21 / 90) ** 2)
    assert progress.status == "on_track"


def test_kpi_without_data_or_target(brand: Brand) -> None:
    campaign = _launched(brand, name="Followers", metric="followers", target=5000, horizon_days=60)
    brand.kpi(campaign, name="Vibes", metric="custom", target=None, horizon_days=None)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        progress = kpi_progress(brand.session, campaign_id=campaign.id, now=utcnow())
    assert [p.status for p in progress] == ["no_data", "no_target"]
