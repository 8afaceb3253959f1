"""Creating and reading campaigns, their KPIs, worst-case scenarios and draft posts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.campaign.models import (
    Campaign,
    CampaignAlert,
    CampaignCreate,
    DraftPost,
    Kpi,
    KpiCreate,
    KpiMeasurement,
    Scenario,
    ScenarioCreate,
)
from tending.campaign.risk import backlash_risks
from tending.channel.models import Channel
from tending.database.core import utcnow
from tending.workspace.scope import Scoped, require_own


class CampaignNotFound(LookupError):
    pass


def get_campaign(session: Session, *, campaign_id: int, workspace_id: int | None = None) -> Campaign:
    """The campaign, or CampaignNotFound (also when it belongs to another workspace)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or (workspace_id is not None and campaign.workspace_id != workspace_id):
        raise CampaignNotFound(f"no campaign {campaign_id}")
    return campaign


def list_campaigns(session: Session, *, workspace_id: int | None = None) -> list[Campaign]:
    stmt = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if workspace_id is not None:
        stmt = stmt.where(Campaign.workspace_id == workspace_id)
    return list(session.scalars(stmt))


def _channels(
    session: Session, *, workspace_id: int, channel_ids: list[int], field: str = "channel_ids"
) -> list[Channel]:
    """The workspace's channels named, or ForeignId (a ValueError) when one is not the workspace's."""
    require_own(session, workspace_id=workspace_id, kind=Scoped.channel, field=field, ids=channel_ids)
    if not channel_ids:
        return []
    return list(session.scalars(select(Channel).where(Channel.id.in_(channel_ids)).order_by(Channel.id)))


def create_campaign(session: Session, *, workspace_id: int, campaign_in: CampaignCreate) -> Campaign:
    require_own(
        session, workspace_id=workspace_id, kind=Scoped.member, field="owner_id", ids=campaign_in.owner_id
    )
    campaign = Campaign(
        workspace_id=workspace_id,
        name=campaign_in.name,
        objective=campaign_in.objective,
        owner_id=campaign_in.owner_id,
        disputable=campaign_in.disputable,
        starts_at=campaign_in.starts_at,
        ends_at=campaign_in.ends_at,
        hashtags=list(campaign_in.hashtags),
        links=list(campaign_in.links),
        keywords=list(campaign_in.keywords),
        channels=_channels(session, workspace_id=workspace_id, channel_ids=campaign_in.channel_ids),
    )
    session.add(campaign)
    session.flush()
    return campaign


def set_channels(session: Session, *, campaign: Campaign, channel_ids: list[int]) -> None:
    campaign.channels = _channels(session, workspace_id=campaign.workspace_id, channel_ids=channel_ids)
    session.flush()


def add_kpi(session: Session, *, campaign_id: int, kpi_in: KpiCreate) -> Kpi:
    get_campaign(session, campaign_id=campaign_id)
    kpi = Kpi(
        campaign_id=campaign_id,
        name=kpi_in.name,
        metric=kpi_in.metric.value,
        target=kpi_in.target,
        direction=kpi_in.direction.value,
        horizon_days=kpi_in.horizon_days,
        baseline=kpi_in.baseline,
    )
    session.add(kpi)
    session.flush()
    return kpi


def list_kpis(session: Session, *, campaign_id: int) -> list[Kpi]:
    return list(session.scalars(select(Kpi).where(Kpi.campaign_id == campaign_id).order_by(Kpi.id)))


def record_kpi_value(
    session: Session, *, kpi_id: int, at: datetime, value: float, note: str = ""
) -> KpiMeasurement:
    """Store an imported figure (sales, signups, followers...); a second value at the same moment replaces
    the first, so re-importing a spreadsheet does not double count."""
    if session.get(Kpi, kpi_id) is None:
        raise LookupError(f"no KPI {kpi_id}")
    existing = session.scalar(
        select(KpiMeasurement).where(KpiMeasurement.kpi_id == kpi_id, KpiMeasurement.at == at)
    )
    if existing is not None:
        existing.value = float(value)
        existing.note = note
        existing.recorded_at = utcnow()
        session.flush()
        return existing
    measurement = KpiMeasurement(kpi_id=kpi_id, at=at, value=float(value), note=note)
    session.add(measurement)
    session.flush()
    return measurement


def add_scenario(session: Session, *, campaign_id: int, scenario_in: ScenarioCreate) -> Scenario:
    campaign = get_campaign(session, campaign_id=campaign_id)
    require_own(
        session,
        workspace_id=campaign.workspace_id,
        kind=Scoped.member,
        field="responder_id",
        ids=scenario_in.responder_id,
    )
    scenario = Scenario(campaign_id=campaign_id, **scenario_in.model_dump())
    session.add(scenario)
    session.flush()
    return scenario


def list_scenarios(session: Session, *, campaign_id: int) -> list[Scenario]:
    stmt = select(Scenario).where(Scenario.campaign_id == campaign_id).order_by(Scenario.id)
    return list(session.scalars(stmt))


def list_drafts(session: Session, *, campaign_id: int) -> list[DraftPost]:
    stmt = select(DraftPost).where(DraftPost.campaign_id == campaign_id).order_by(DraftPost.id)
    return list(session.scalars(stmt))


def refresh_draft_risks(
    session: Session, *, campaign: Campaign, now: datetime | None = None
) -> list[DraftPost]:
    """Estimate and cache the backlash risk of every draft of the campaign against the current history."""
    drafts = list_drafts(session, campaign_id=campaign.id)
    if not drafts:
        return drafts
    risks = backlash_risks(session, workspace_id=campaign.workspace_id, texts=[d.text for d in drafts])
    at = now or utcnow()
    for draft, risk in zip(drafts, risks, strict=True):
        draft.risk_score = risk.score
        draft.risk_level = risk.level
        draft.risk_examples = risk.as_dict()["examples"]
        draft.risk_computed_at = at
    session.flush()
    return drafts


def add_draft_post(
    session: Session,
    *,
    campaign_id: int,
    text: str,
    channel_id: int | None = None,
    now: datetime | None = None,
) -> DraftPost:
    """A planned post, with its backlash risk estimated right away."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    if channel_id is not None:
        _channels(session, workspace_id=campaign.workspace_id, channel_ids=[channel_id], field="channel_id")
    draft = DraftPost(campaign_id=campaign_id, channel_id=channel_id, text=text)
    session.add(draft)
    session.flush()
    risk = backlash_risks(session, workspace_id=campaign.workspace_id, texts=[text])[0]
    draft.risk_score = risk.score
    draft.risk_level = risk.level
    draft.risk_examples = risk.as_dict()["examples"]
    draft.risk_computed_at = now or utcnow()
    session.flush()
    return draft


def list_alerts(session: Session, *, campaign_id: int, limit: int = 100) -> list[CampaignAlert]:
    stmt = (
        select(CampaignAlert)
        .where(CampaignAlert.campaign_id == campaign_id)
        .order_by(CampaignAlert.created_at.desc(), CampaignAlert.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
