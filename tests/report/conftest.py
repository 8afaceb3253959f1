"""A small seeded desk for the report tests: three conversations (one hostile, waiting since a Saturday
night), replies by the agency and by a member, a published post, and a campaign with a sales KPI and an
alert on the hostile message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.desk_fixtures import Msg, make_conversation, message_of

from tending.alerts.models import IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.auth.models import User
from tending.campaign.models import Campaign, CampaignAlert, Kpi, KpiMeasurement, Scenario
from tending.channel.models import Channel
from tending.publishing.models import Post
from tending.workspace.models import Workspace

MON = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, office hours
HOSTILE = "<script>alert('x')</script> your beans made me ill"


@dataclass
class Seeded:
    campaign_id: int
    hostile_message_id: int


@pytest.fixture()
def seeded(factory: sessionmaker[Session], world) -> Seeded:
    with factory() as s:
        ws = s.get(Workspace, world.workspace.id)
        ch = s.get(Channel, world.channel.id)
        agency = s.get(User, world.agency.id)
        member = s.get(User, world.member.id)
        assert ws and ch and agency and member
        c1 = make_conversation(
            s, ws, ch, [Msg("inbound", MON), Msg("outbound", MON + timedelta(hours=2))], assignee=agency
        )
        message_of(s, c1, 1).sent_by_id = agency.id
        c2 = make_conversation(
            s,
            ws,
            ch,
            [
                Msg("inbound", MON + timedelta(days=1, hours=1)),
                Msg("outbound", MON + timedelta(days=1, hours=1.5)),
            ],
            assignee=member,
        )
        message_of(s, c2, 1).sent_by_id = member.id
        saturday_night = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)
        c3 = make_conversation(s, ws, ch, [Msg("inbound", saturday_night, text=HOSTILE)])
        hostile = message_of(s, c3, 0)
        s.add(
            Post(
                workspace_id=ws.id,
                channel_id=ch.id,
                text="New roast",
                status="published",
                author_id=agency.id,
                published_at=MON + timedelta(hours=3),
            )
        )
        campaign = Campaign(
            workspace_id=ws.id,
            name="Spring roast",
            objective="Sell the spring roast — Весна ☕",
            status="launched",
            starts_at=MON,
            launched_at=MON,
            ends_at=MON + timedelta(days=6),
            channels=[ch],
        )
        s.add(campaign)
        s.flush()
        kpi = Kpi(
            campaign_id=campaign.id,
            name="Bags sold",
            metric="sales",
            target=500.0,
            direction="up",
            horizon_days=30,
            baseline=0.0,
        )
        scenario = Scenario(
            campaign_id=campaign.id,
            title="Recall rumour",
            trigger_keywords=["ill"],
            reaction="Explain the lab results",
        )
        s.add_all([kpi, scenario])
        s.flush()
        for day, value in enumerate((0, 40, 90, 150)):
            s.add(KpiMeasurement(kpi_id=kpi.id, at=MON + timedelta(days=day), value=float(value)))
        s.add(
            CampaignAlert(
                workspace_id=ws.id,
                campaign_id=campaign.id,
                scenario_id=scenario.id,
                message_id=hostile.id,
                kind="scenario_match",
                at=saturday_night,
                created_at=saturday_night,
                detail={"scenario": "Recall rumour", "responder": "Mia"},
            )
        )
        s.add(
            CampaignAlert(
                workspace_id=ws.id,
                campaign_id=campaign.id,
                kind="spike",
                metric="volume",
                at=MON + timedelta(days=2),
                created_at=MON + timedelta(days=2),
                score=4.2,
                detail={
                    "summary": "volume 40 per hour against 6 expected",
                    "value": 40.0,
                    "expected": 6.0,
                    "upper": 12.0,
                    "messages_in_bucket": 40,
                },
            )
        )
        # The alerts inbox groups them into incidents; one began the week before and stays out of this digest.
        record_alerts(
            s,
            workspace_id=ws.id,
            signals=[
                AlertSignal(
                    kind=IncidentKind.spike,
                    at=MON + timedelta(days=2),
                    title="40 messages in an hour, about 6 expected",
                    campaign_id=campaign.id,
                ),
                *(  # three people saying it within hours: listed (one alone stays on the campaign page)
                    AlertSignal(
                        kind=IncidentKind.scenario_match,
                        at=saturday_night + timedelta(minutes=k),
                        title=hostile.text,
                        campaign_id=campaign.id,
                        message_ids=[hostile.id],
                    )
                    for k in range(3)
                ),
                AlertSignal(
                    kind=IncidentKind.spike,
                    at=MON - timedelta(days=5),
                    title="last week's spike",
                    campaign_id=campaign.id,
                ),
            ],
        )
        s.commit()
        return Seeded(campaign_id=campaign.id, hostile_message_id=hostile.id)
