from __future__ import annotations

from datetime import timedelta

import pytest
from campaign_world import T0, Brand
from sqlalchemy import select

from tending.audit.models import AuditEntry
from tending.auth.models import Role, User, WorkspaceMembership
from tending.campaign.launch import LaunchRefused, launch_campaign
from tending.campaign.models import CampaignStatus
from tending.campaign.service import add_draft_post
from tending.workspace.scope import ForeignId


def test_empty_plan_is_refused_naming_every_missing_piece(brand: Brand) -> None:
    campaign = brand.campaign(objective="", owner_id=None, channel_ids=[], hashtags=[], keywords=[])
    with pytest.raises(LaunchRefused) as refused:
        launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    missing = " | ".join(refused.value.missing)
    for piece in ("objective", "KPI", "channels", "identifiers", "owner"):
        assert piece in missing
    assert len(refused.value.missing) == 5
    assert campaign.status == CampaignStatus.draft
    assert campaign.launched_at is None


def test_kpi_needs_both_target_and_horizon(brand: Brand) -> None:
    campaign = brand.campaign()
    brand.kpi(campaign, horizon_days=None)
    brand.kpi(campaign, name="Sales", metric="sales", target=None, horizon_days=90)
    with pytest.raises(LaunchRefused) as refused:
        launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    assert [m.split(":")[0] for m in refused.value.missing] == ["KPI"]


def test_complete_plan_launches_and_is_audited(brand: Brand) -> None:
    campaign = brand.campaign()
    brand.kpi(campaign)
    launched = launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    assert launched.status == CampaignStatus.launched
    assert launched.launched_at == T0
    entry = brand.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.launch"))
    assert entry is not None
    assert (entry.actor_id, entry.target_id, entry.at) == (brand.owner.id, campaign.id, T0)
    with pytest.raises(LaunchRefused, match="only a draft can launch"):
        launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)


def test_disputable_campaign_needs_five_complete_scenarios(brand: Brand) -> None:
    campaign = brand.campaign(disputable=True)
    brand.kpi(campaign)
    for n in range(4):
        brand.scenario(campaign, n)
    with pytest.raises(LaunchRefused) as refused:
        launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    assert len(refused.value.missing) == 1
    assert "at least 5 complete worst-case scenarios" in refused.value.missing[0]
    assert "has 4 complete" in refused.value.missing[0]

    incomplete = brand.scenario(campaign, 4, responder_id=None, reaction="  ")
    with pytest.raises(LaunchRefused) as refused:
        launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    assert any(
        f"scenario {incomplete.id}" in m and "responder" in m and "prepared reaction" in m
        for m in refused.value.missing
    )

    incomplete.responder_id = brand.responder.id
    incomplete.reaction = "We paused the ad and will explain why tomorrow."
    launched = launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    assert launched.status == CampaignStatus.launched


def test_scenario_without_triggers_or_story_is_incomplete(brand: Brand) -> None:
    campaign = brand.campaign(disputable=True)
    brand.kpi(campaign)
    for n in range(5):
        brand.scenario(campaign, n)
    bare = brand.scenario(campaign, 5, what_happens="", trigger_keywords=[], example_messages=[])
    with pytest.raises(LaunchRefused) as refused:
        launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    (line,) = refused.value.missing
    assert f"scenario {bare.id}" in line
    assert "what happens" in line and "triggers" in line


def _negative_history(brand: Brand) -> None:
    for i in range(6):
        at = T0 - timedelta(days=60 - i)
        post = brand.message(
            f"Our stance on the plastic cup ban and packaging policy, part {i}",
            at=at,
            direction="outbound",
            kind="post",
            thread=f"hist{i}",
        )
        for j in range(4):
            brand.message(
                "This is terrible, you should be ashamed, awful decision",
                at=at + timedelta(hours=j + 1),
                thread=f"hist{i}",
                sentiment="negative" if j % 2 else None,
            )
        assert post.id


def test_high_backlash_draft_needs_scenarios_even_when_not_disputable(brand: Brand) -> None:
    _negative_history(brand)
    campaign = brand.campaign(disputable=False)
    brand.kpi(campaign)
    draft = add_draft_post(
        brand.session,
        campaign_id=campaign.id,
        text="New packaging policy: the plastic cup ban starts Monday",
        now=T0,
    )
    assert draft.risk_level == "high"
    with pytest.raises(LaunchRefused) as refused:
        launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    assert "high backlash risk" in refused.value.missing[0]
    assert str(draft.id) in refused.value.missing[0]
    for n in range(5):
        brand.scenario(campaign, n)
    launched = launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    assert launched.launched_at == T0


def test_owner_and_responders_must_belong_to_the_workspace(brand: Brand) -> None:
    outsider = User(email="x@elsewhere.test", name="Xavier", password_hash="x", role=Role.member.value)
    brand.session.add(outsider)
    brand.session.flush()
    with pytest.raises(ForeignId, match="owner_id"):
        brand.campaign(owner_id=outsider.id)
    campaign = brand.campaign(disputable=True)
    with pytest.raises(ForeignId, match="responder_id"):
        brand.scenario(campaign, 0, responder_id=outsider.id)
    # Someone who was on the team when picked and has left since: refused at launch, without a name.
    membership = WorkspaceMembership(user_id=outsider.id, workspace_id=brand.workspace.id)
    brand.session.add(membership)
    brand.session.flush()
    campaign = brand.campaign(owner_id=outsider.id, disputable=True)
    brand.kpi(campaign)
    for n in range(4):
        brand.scenario(campaign, n)
    away = brand.scenario(campaign, 4, responder_id=outsider.id)
    brand.session.delete(membership)
    brand.session.flush()
    with pytest.raises(LaunchRefused) as refused:
        launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    text = " | ".join(refused.value.missing)
    assert "owner: the one set is not a member" in text
    assert f"scenario {away.id}" in text and "a responder who is an active member here" in text
    assert "Xavier" not in text
    assert "has 4 complete of 5" in text
