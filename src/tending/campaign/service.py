"""Creating and reading campaigns, their KPIs, worst-case scenarios and draft posts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.audit.service import log_about
from tending.campaign.models import (
    Campaign,
    CampaignAlert,
    CampaignCreate,
    CampaignStatus,
    CampaignUpdate,
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
from tending.errors import Conflict, NotFound, Refused
from tending.workspace.scope import Scoped, require_own


class CampaignNotFound(NotFound):
    """No such campaign on this workspace."""


class CampaignRefused(Refused, ValueError):
    """The plan names something outside the workspace (a channel, an owner); nothing was saved."""


class CampaignLocked(Conflict):
    """The campaign has launched: its plan is the record of what was promised and stays as it was."""


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


def _check_owner(session: Session, *, workspace_id: int, owner_id: int | None) -> None:
    """The owner must work this workspace (ForeignId otherwise, naming the field only)."""
    require_own(session, workspace_id=workspace_id, kind=Scoped.member, field="owner_id", ids=owner_id)


def _check_period(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise CampaignRefused("ends_at: the campaign must end after it starts")


def create_campaign(
    session: Session, *, workspace_id: int, campaign_in: CampaignCreate, actor_id: int | None = None
) -> Campaign:
    """A draft campaign, audited as `campaign.create` (by `actor_id`, or the system)."""
    _check_owner(session, workspace_id=workspace_id, owner_id=campaign_in.owner_id)
    _check_period(campaign_in.starts_at, campaign_in.ends_at)
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
    _audit(session, campaign, actor_id=actor_id, verb="create", detail={"name": campaign.name})
    return campaign


def _audit(
    session: Session, campaign: Campaign, *, actor_id: int | None, verb: str, detail: dict[str, object]
) -> None:
    log_about(session, campaign, "campaign", verb, actor_id=actor_id, detail=detail)


def require_draft(campaign: Campaign) -> None:
    """Refuse a change to the plan once the campaign has launched."""
    if campaign.status != CampaignStatus.draft.value:
        raise CampaignLocked(f"the campaign is {campaign.status}: its plan can no longer change")


def update_campaign(
    session: Session, *, campaign: Campaign, campaign_in: CampaignUpdate, actor_id: int | None
) -> list[str]:
    """Change a draft's plan (only the fields sent); audited as `campaign.update` with the fields that
    changed, which are returned. Refused once launched."""
    require_draft(campaign)
    # A null for a field that cannot be empty (name, objective, lists...) leaves it as it is.
    values = {
        k: v
        for k, v in campaign_in.model_dump(exclude_unset=True).items()
        if v is not None or k in {"owner_id", "starts_at", "ends_at"}
    }
    if "owner_id" in values:
        _check_owner(session, workspace_id=campaign.workspace_id, owner_id=values["owner_id"])
    _check_period(values.get("starts_at", campaign.starts_at), values.get("ends_at", campaign.ends_at))
    changed = []
    if "channel_ids" in values:
        ids = values.pop("channel_ids")
        if sorted(ids) != sorted(c.id for c in campaign.channels):
            campaign.channels = _channels(session, workspace_id=campaign.workspace_id, channel_ids=ids)
            changed.append("channels")
    for key, value in values.items():
        if getattr(campaign, key) != value:
            setattr(campaign, key, value)
            changed.append(key)
    session.flush()
    if changed:
        _audit(session, campaign, actor_id=actor_id, verb="update", detail={"changed": changed})
    return changed


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


def get_kpi(session: Session, *, campaign: Campaign, kpi_id: int) -> Kpi:
    kpi = session.get(Kpi, kpi_id)
    if kpi is None or kpi.campaign_id != campaign.id:
        raise NotFound("KPI not found")
    return kpi


def update_kpi(
    session: Session, *, campaign: Campaign, kpi: Kpi, kpi_in: KpiCreate, actor_id: int | None
) -> Kpi:
    """Rewrite a draft's KPI (a target is a promise: refused once launched); audited."""
    require_draft(campaign)
    kpi.name = kpi_in.name
    kpi.metric = kpi_in.metric.value
    kpi.target = kpi_in.target
    kpi.direction = kpi_in.direction.value
    kpi.horizon_days = kpi_in.horizon_days
    kpi.baseline = kpi_in.baseline
    session.flush()
    _audit(
        session,
        campaign,
        actor_id=actor_id,
        verb="kpi_update",
        detail={"kpi": kpi.name, "target": kpi.target, "horizon_days": kpi.horizon_days},
    )
    return kpi


def delete_kpi(session: Session, *, campaign: Campaign, kpi: Kpi, actor_id: int | None) -> None:
    """Drop a draft's KPI; refused once launched; audited."""
    require_draft(campaign)
    _audit(session, campaign, actor_id=actor_id, verb="kpi_delete", detail={"kpi": kpi.name})
    session.delete(kpi)
    session.flush()


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
