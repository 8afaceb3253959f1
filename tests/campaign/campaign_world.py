"""A small brand world for campaign tests: a workspace, its team, two channels and message helpers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from tending.auth.models import User
from tending.author.models import Author
from tending.campaign.models import (
    Campaign,
    CampaignCreate,
    KpiCreate,
    MetricKind,
    Scenario,
    ScenarioCreate,
)
from tending.campaign.service import add_kpi, add_scenario, create_campaign
from tending.channel.models import Channel
from tending.inbox.models import Conversation, Message
from tending.workspace.models import Workspace

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@dataclass
class Brand:
    """A workspace with a team and two channels, and helpers to add messages."""

    session: Session
    workspace: Workspace
    owner: User
    responder: User
    channel: Channel
    other_channel: Channel
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def author(self, handle: str, followers: int = 10) -> Author:
        a = Author(
            workspace_id=self.workspace.id,
            network="fake",
            external_id=handle,
            handle=handle,
            name=handle.title(),
            followers=followers,
        )
        self.session.add(a)
        self.session.flush()
        return a

    def message(
        self,
        text: str,
        *,
        at: datetime = T0,
        direction: str = "inbound",
        kind: str = "comment",
        channel: Channel | None = None,
        thread: str | None = None,
        sentiment: str | None = None,
        author: Author | None = None,
    ) -> Message:
        n = next(self._ids)
        ch = channel or self.channel
        key = thread or f"t{n}"
        conv = self.session.query(Conversation).filter_by(channel_id=ch.id, thread_key=key).one_or_none()
        if conv is None:
            conv = Conversation(workspace_id=self.workspace.id, channel_id=ch.id, thread_key=key, kind=kind)
            self.session.add(conv)
            self.session.flush()
        msg = Message(
            workspace_id=self.workspace.id,
            channel_id=ch.id,
            conversation_id=conv.id,
            kind=kind,
            direction=direction,
            external_id=f"m{n}",
            text=text,
            created_at=at,
            sentiment=sentiment,
            author_id=author.id if author else None,
        )
        self.session.add(msg)
        self.session.flush()
        return msg

    def campaign(self, **overrides: object) -> Campaign:
        """A campaign complete enough to launch unless a field is overridden."""
        fields: dict[str, object] = {
            "name": "Spring blend",
            "objective": "Make the spring blend known to regulars",
            "owner_id": self.owner.id,
            "channel_ids": [self.channel.id],
            "hashtags": ["#SpringBlend"],
            "keywords": ["spring blend"],
        }
        fields.update(overrides)
        campaign = create_campaign(
            self.session, workspace_id=self.workspace.id, campaign_in=CampaignCreate.model_validate(fields)
        )
        return campaign

    def kpi(self, campaign: Campaign, **overrides: object) -> None:
        fields: dict[str, object] = {
            "name": "Mentions",
            "metric": MetricKind.mentions,
            "target": 100,
            "horizon_days": 28,
        }
        fields.update(overrides)
        add_kpi(self.session, campaign_id=campaign.id, kpi_in=KpiCreate.model_validate(fields))

    def scenario(self, campaign: Campaign, n: int, **overrides: object) -> Scenario:
        fields: dict[str, object] = {
            "title": f"Worst case {n}",
            "what_happens": f"People are angry about thing {n}",
            "trigger_keywords": [f"trigger{n}"],
            "example_messages": [f"example complaint number {n}"],
            "responder_id": self.responder.id,
            "reaction": f"We hear you about thing {n}; here is what we do.",
        }
        fields.update(overrides)
        scenario_in = ScenarioCreate.model_validate(fields)
        return add_scenario(self.session, campaign_id=campaign.id, scenario_in=scenario_in)
