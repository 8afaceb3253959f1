"""Alerts worth reading: a spike on a quiet series needs a minimum count and excess and reads in whole
numbers; a positive message fits a crisis scenario only through an explicit keyword."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from campaign_world import T0, Brand
from sqlalchemy import select

from tending.alerts.models import AlertIncident
from tending.campaign.launch import launch_campaign
from tending.campaign.models import Campaign, CampaignAlert
from tending.campaign.scenarios import match_scenarios_batch
from tending.campaign.spikes import detect_campaign_spikes
from tending.demo.service import SCENARIOS
from tending.detection.bands import Band


def _launched(brand: Brand) -> Campaign:
    campaign = brand.campaign()
    brand.kpi(campaign)
    launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    return campaign


def _flat(expected: float, upper: float):
    def scorer(timestamps: Sequence[datetime], values: Sequence[float]) -> list[Band | None]:
        return [Band(expected, 0.0, upper) for _ in values]

    return scorer


def _hourly(brand: Brand, campaign: Campaign, scorer, metric: str = "volume") -> list[CampaignAlert]:
    return detect_campaign_spikes(
        brand.session,
        campaign_id=campaign.id,
        scorer=scorer,
        since=T0,
        until=T0 + timedelta(hours=6),
        now=T0 + timedelta(hours=6),
        resolution="1h",
        metrics=(metric,),
    )


def test_one_message_over_a_near_zero_expectation_is_no_spike(brand: Brand) -> None:
    campaign = _launched(brand)
    brand.message("#springblend hello", at=T0 + timedelta(hours=2, minutes=5))
    assert _hourly(brand, campaign, _flat(0.00022456, 0.0005)) == []
    # Five in an hour over about 2 expected is still within what a person shrugs at (excess 3 < 4).
    for k in range(4):
        brand.message("#springblend hi", at=T0 + timedelta(hours=2, minutes=10 + k))
    assert _hourly(brand, campaign, _flat(2.0, 3.0)) == []
    assert brand.session.scalar(select(AlertIncident)) is None


def test_a_real_burst_alerts_in_words_and_opens_one_incident(brand: Brand) -> None:
    campaign = _launched(brand)
    for k in range(7):
        brand.message(
            "#springblend is it safe?", at=T0 + timedelta(hours=3, minutes=5 * k), sentiment="negative"
        )
    (alert,) = _hourly(brand, campaign, _flat(0.8, 3.0))
    assert alert.detail["summary"] == "7 messages in an hour, about 1 expected"
    incident = brand.session.scalar(select(AlertIncident))
    assert incident is not None and incident.kind == "spike" and incident.campaign_id == campaign.id
    assert incident.opened_at == T0 + timedelta(hours=3) and len(incident.message_ids) == 7
    assert incident.title == "7 messages in an hour, about 1 expected"


def test_negative_share_needs_negative_messages_not_just_a_ratio(brand: Brand) -> None:
    campaign = _launched(brand)
    for k in range(2):
        brand.message("#springblend meh", at=T0 + timedelta(hours=1, minutes=k), sentiment="negative")
    assert _hourly(brand, campaign, _flat(0.1, 0.3), "negative_share") == []
    for k in range(6):
        brand.message("#springblend awful", at=T0 + timedelta(hours=4, minutes=k), sentiment="negative")
    (alert,) = _hourly(brand, campaign, _flat(0.1, 0.3), "negative_share")
    assert alert.detail["summary"] == "100% negative (6 of 6 messages) in an hour, about 10% usual"


def test_praise_does_not_fit_a_crisis_scenario_but_a_keyword_still_does(brand: Brand) -> None:
    campaign = brand.campaign(disputable=True, ends_at=T0 + timedelta(days=30))
    brand.kpi(campaign)
    for n, (title, what, keys, examples, reaction) in enumerate(SCENARIOS):
        brand.scenario(
            campaign,
            n,
            title=title,
            what_happens=what,
            trigger_keywords=keys,
            example_messages=examples,
            reaction=reaction,
        )
    launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    at = T0 + timedelta(hours=1)
    praise = [
        brand.message("Love the new packaging, fully recyclable", at=at),
        brand.message("The cold brew kit is incredible, best coffee I've had this year!", at=at),
        brand.message("Your cold brew kit made my summer. Ordering two more for friends.", at=at),
    ]
    worried = brand.message("Is the coffee I have at home safe to drink?", at=at)
    glad = brand.message("Love how fast you handled the recall, thank you", at=at, sentiment="positive")
    alerts = match_scenarios_batch(brand.session, message_ids=[m.id for m in [*praise, worried, glad]])
    fired = {(a.message_id, a.detail["scenario"], a.detail["matched_by"]) for a in alerts}
    assert not {m for m, _s, _b in fired} & {m.id for m in praise}
    assert worried.id in {m for m, s, _b in fired if s == "Product safety scare"}
    assert (glad.id, "Product safety scare", "keyword") in fired
