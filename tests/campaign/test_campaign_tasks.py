from __future__ import annotations

from datetime import timedelta

import pytest
from campaign_world import T0, Brand
from sqlalchemy.orm import sessionmaker

from tending.campaign import tasks
from tending.campaign.launch import launch_campaign
from tending.campaign.models import CampaignAlert
from tending.config import Settings
from tending.ingest.signals import _subscribers
from tending.worker import Runtime


def test_ingestion_hook_is_discovered() -> None:
    assert any(fn.__module__ == "tending.campaign.hooks" for fn in _subscribers())


def test_task_matches_a_batch_and_commits(brand: Brand, monkeypatch: pytest.MonkeyPatch) -> None:
    campaign = brand.campaign()
    brand.kpi(campaign)
    brand.scenario(campaign, 0, trigger_keywords=["recall"])
    launch_campaign(brand.session, campaign_id=campaign.id, actor=brand.owner, now=T0)
    msg = brand.message("is there a recall on the beans?", at=T0 + timedelta(minutes=5))
    brand.session.commit()
    engine = brand.session.get_bind()
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setattr(tasks, "runtime", lambda: Runtime(Settings(), engine, factory))  # type: ignore[arg-type]
    assert tasks.match_scenarios_task.call_local([msg.id]) == 1
    assert tasks.match_scenarios_task.call_local([msg.id]) == 0
    with factory() as s:
        assert s.query(CampaignAlert).filter_by(message_id=msg.id).count() == 1
