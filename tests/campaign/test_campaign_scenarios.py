from __future__ import annotations

from datetime import timedelta

from campaign_world import T0, Brand
from sqlalchemy import func, select

from tending.campaign.launch import launch_campaign
from tending.campaign.models import AlertKind, Campaign, CampaignAlert
from tending.campaign.scenarios import ScenarioMatcher, match_scenarios, match_scenarios_batch


def _launched(brand: Brand) -> Campaign:
    campaign = brand.campaign(disputable=True, ends_at=T0 + timedelta(days=30))
    brand.kpi(campaign)
    brand.scenario(
        campaign,
        0,
        title="Accused of greenwashing",
        what_happens="People say the 'sustainable' claim is fake",
        trigger_keywords=["greenwashing", "green washing"],
        example_messages=["Calling these cups sustainable is a lie, they still end up in landfill"],
        reaction="Share the supplier audit and the composting numbers; no marketing words.",
    )
    brand.scenario(
        campaign,
        1,
        title="Price hike anger",
        what_happens="Regulars feel the new blend is a hidden price increase",
        trigger_keywords=["rip-off", "ripoff"],
        example_messages=["Why does the spring blend cost two euros more than last year"],
        reaction="Explain the bean cost and the loyalty discount.",
    )
    for n in range(2, 5):
        brand.scenario(campaign, n)
    launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    return campaign


def test_keyword_trigger_raises_an_alert_naming_scenario_reaction_and_responder(brand: Brand) -> None:
    campaign = _launched(brand)
    msg = brand.message("This whole campaign is GREENWASHING at its finest", at=T0 + timedelta(hours=2))
    (alert,) = match_scenarios(brand.session, message=msg)
    assert alert.kind == AlertKind.scenario_match
    assert (alert.campaign_id, alert.message_id) == (campaign.id, msg.id)
    assert alert.detail["scenario"] == "Accused of greenwashing"
    assert alert.detail["reaction"].startswith("Share the supplier audit")
    assert alert.detail["responder"] == "Raj"
    assert alert.detail["matched_by"].startswith("keyword")
    assert alert.detail["keywords"] == ["greenwashing"]


def test_paraphrase_matches_by_similarity(brand: Brand) -> None:
    _launched(brand)
    msg = brand.message(
        "why does the new spring blend cost 2 euros more than last year??", at=T0 + timedelta(hours=3)
    )
    (alert,) = match_scenarios(brand.session, message=msg)
    assert alert.detail["scenario"] == "Price hike anger"
    assert alert.detail["matched_by"] == "similarity"
    assert alert.score >= 0.5


def test_unrelated_messages_do_not_match(brand: Brand) -> None:
    _launched(brand)
    texts = [
        "Loved my flat white this morning, thanks team!",
        "What time do you open on Sundays?",
        "The spring blend tastes amazing with oat milk",
        "Is the Main Street shop wheelchair accessible?",
    ]
    ids = [brand.message(t, at=T0 + timedelta(hours=1 + i)).id for i, t in enumerate(texts)]
    assert match_scenarios_batch(brand.session, message_ids=ids) == []


def test_alerts_are_deduplicated_and_limited_to_the_campaign(brand: Brand) -> None:
    _launched(brand)
    hit = brand.message("total rip-off", at=T0 + timedelta(hours=1))
    before = brand.message("total rip-off", at=T0 - timedelta(hours=1))
    elsewhere = brand.message("total rip-off", at=T0 + timedelta(hours=1), channel=brand.other_channel)
    ours = brand.message("total rip-off", at=T0 + timedelta(hours=1), direction="outbound")
    ids = [hit.id, before.id, elsewhere.id, ours.id]
    first = match_scenarios_batch(brand.session, message_ids=ids)
    assert [a.message_id for a in first] == [hit.id]
    assert match_scenarios_batch(brand.session, message_ids=ids) == []
    assert brand.session.scalar(select(func.count()).select_from(CampaignAlert)) == 1


def test_draft_campaign_raises_nothing(brand: Brand) -> None:
    campaign = brand.campaign()
    brand.scenario(campaign, 0, trigger_keywords=["refund"])
    msg = brand.message("I want a refund", at=T0)
    assert match_scenarios(brand.session, message=msg) == []


def test_matcher_scores_the_best_example_per_scenario(brand: Brand) -> None:
    campaign = brand.campaign()
    s = brand.scenario(
        campaign,
        0,
        trigger_keywords=[],
        example_messages=["the barista was rude to me", "your staff treated me badly"],
    )
    (hits,) = ScenarioMatcher([s]).match(["The barista was so rude to me today"])
    assert hits[0].example == "the barista was rude to me"
    assert hits[0].similarity > 0.6
