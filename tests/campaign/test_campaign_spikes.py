from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from campaign_world import T0, Brand
from sqlalchemy.dialects import postgresql

from tending.campaign.launch import launch_campaign
from tending.campaign.models import AlertKind, Campaign
from tending.campaign.spikes import (
    bucket_expression,
    campaign_volume_series,
    detect_campaign_spikes,
    raise_spike_alert,
)
from tending.detection.bands import Band
from tending.inbox.models import Message


def _launched(brand: Brand) -> Campaign:
    campaign = brand.campaign()
    brand.kpi(campaign)
    launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    return campaign


def test_series_buckets_at_five_minutes_and_one_hour(brand: Brand) -> None:
    campaign = _launched(brand)
    points = [(2, "negative"), (3, None), (7, "positive"), (65, "negative"), (66, "negative")]
    for minutes, sentiment in points:
        brand.message("#springblend", at=T0 + timedelta(minutes=minutes), sentiment=sentiment)
    brand.message("#springblend from us", at=T0 + timedelta(minutes=4), direction="outbound")
    brand.message("no tag", at=T0 + timedelta(minutes=4))

    five = campaign_volume_series(
        brand.session, campaign_id=campaign.id, resolution="5min", since=T0, until=T0 + timedelta(minutes=70)
    )
    assert len(five) == 14
    assert five[0].at == T0 and five[1].at == T0 + timedelta(minutes=5)
    assert [b.volume for b in five] == [2, 1] + [0] * 11 + [2]
    assert (five[0].negative, five[0].triaged, five[0].negative_share) == (1, 1, 1.0)
    assert five[1].negative_share == 0.0
    assert five[2].negative_share is None

    hourly = campaign_volume_series(
        brand.session,
        campaign_id=campaign.id,
        resolution="1h",
        since=T0 + timedelta(minutes=30),
        until=T0 + timedelta(hours=2),
    )
    assert [(b.at, b.volume, b.negative) for b in hourly] == [(T0, 3, 1), (T0 + timedelta(hours=1), 2, 2)]

    with pytest.raises(ValueError, match="resolution"):
        campaign_volume_series(brand.session, campaign_id=campaign.id, resolution="2min", since=T0, until=T0)


def test_postgresql_bucket_expression_uses_epoch() -> None:
    sql = str(bucket_expression("postgresql", Message.created_at, 300).compile(dialect=postgresql.dialect()))
    assert "EXTRACT(epoch FROM message.created_at)" in sql
    assert "floor" in sql


def _burst(brand: Brand, campaign: Campaign) -> datetime:
    brand.scenario(
        campaign,
        0,
        title="Bitter taste backlash",
        trigger_keywords=["bitter", "burnt"],
        example_messages=[],
        reaction="Offer a free swap to the classic blend.",
    )
    brand.scenario(campaign, 1, title="Allergy scare", trigger_keywords=["allergy"], example_messages=[])
    loud = brand.author("bigvoice", followers=90_000)
    small = brand.author("regular", followers=12)
    at = T0 + timedelta(hours=5)
    brand.message(
        "#springblend is so bitter, burnt beans",
        at=at + timedelta(minutes=1),
        author=small,
        sentiment="negative",
    )
    brand.message(
        "#springblend tastes burnt, avoid", at=at + timedelta(minutes=2), author=loud, sentiment="negative"
    )
    brand.message(
        "#springblend bitter again", at=at + timedelta(minutes=3), author=small, sentiment="negative"
    )
    brand.message("#springblend gave me an allergy?", at=at + timedelta(minutes=3), author=small)
    brand.message("#springblend love it", at=at + timedelta(minutes=4), author=loud, sentiment="positive")
    return at


def test_spike_alert_says_what_rose_who_drove_it_and_which_scenario(brand: Brand) -> None:
    campaign = _launched(brand)
    at = _burst(brand, campaign)
    alert = raise_spike_alert(
        brand.session,
        campaign_id=campaign.id,
        metric="negative_volume",
        at=at + timedelta(minutes=2),
        value=3,
        expected=0.5,
        lower=0,
        upper=1.5,
        now=at + timedelta(minutes=6),
    )
    assert alert.kind == AlertKind.spike
    assert alert.at == at
    d = alert.detail
    assert d["summary"] == "3 negative messages in 5 minutes, about 1 expected"
    assert d["above_upper"] == 1.5
    assert d["messages_in_bucket"] == 5
    assert [m["author"] for m in d["top_messages"][:3]] == ["bigvoice", "regular", "regular"]
    assert all(m["sentiment"] == "negative" for m in d["top_messages"][:3])
    assert [(a["handle"], a["messages"]) for a in d["top_authors"]] == [("regular", 3), ("bigvoice", 2)]
    assert d["scenario"]["scenario"] == "Bitter taste backlash"
    assert d["scenario"]["matching_messages"] == 3
    assert d["scenario"]["reaction"] == "Offer a free swap to the classic blend."
    assert alert.scenario_id == d["scenario"]["scenario_id"]
    again = raise_spike_alert(
        brand.session,
        campaign_id=campaign.id,
        metric="negative_volume",
        at=at,
        value=4,
        expected=0.5,
        lower=0,
        upper=1.5,
        now=at + timedelta(minutes=9),
    )
    assert again.id == alert.id


def test_share_alert_reads_as_percent_and_quiet_bucket_has_no_scenario(brand: Brand) -> None:
    campaign = _launched(brand)
    brand.scenario(campaign, 0, trigger_keywords=["bitter"], example_messages=[])
    at = T0 + timedelta(hours=1)
    brand.message("#springblend fine", at=at, sentiment="negative")
    alert = raise_spike_alert(
        brand.session,
        campaign_id=campaign.id,
        metric="negative_share",
        at=at,
        value=1.0,
        expected=0.1,
        lower=0.0,
        upper=0.25,
        now=at,
    )
    assert alert.detail["summary"] == "100% negative (1 of 1 messages) in 5 minutes, about 10% usual"
    assert alert.detail["scenario"] is None
    with pytest.raises(ValueError, match="metric"):
        raise_spike_alert(
            brand.session,
            campaign_id=campaign.id,
            metric="likes",
            at=at,
            value=1,
            expected=0,
            lower=0,
            upper=0,
            now=at,
        )


def _median_band(timestamps: Sequence[datetime], values: Sequence[float]) -> list[Band | None]:
    """Stand-in detector: median of the earlier points, plus or minus three MADs (at least 1)."""
    out: list[Band | None] = []
    for i in range(len(values)):
        past = [v for v in values[:i] if not math.isnan(v)]
        if len(past) < 6:
            out.append(None)
            continue
        med = statistics.median(past)
        mad = max(statistics.median(abs(v - med) for v in past), 1.0 / 3)
        out.append(Band(med, med - 3 * mad, med + 3 * mad))
    return out


def test_detector_plugs_in_and_alerts_once_per_spiking_bucket(brand: Brand) -> None:
    campaign = _launched(brand)
    for k in range(10):
        brand.message("#springblend hi", at=T0 + timedelta(minutes=5 * k + 1))
    at = _burst(brand, campaign)
    since, until = T0, at + timedelta(minutes=5)
    alerts = detect_campaign_spikes(
        brand.session,
        campaign_id=campaign.id,
        scorer=_median_band,
        since=since,
        until=until,
        now=until,
        metrics=["volume"],
    )
    assert [(a.metric, a.at) for a in alerts] == [("volume", at)]
    assert alerts[0].detail["value"] == 5
    again = detect_campaign_spikes(
        brand.session,
        campaign_id=campaign.id,
        scorer=_median_band,
        since=since,
        until=until,
        now=until,
        metrics=["volume"],
    )
    assert [a.id for a in again] == [alerts[0].id]
