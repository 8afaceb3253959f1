"""Launching a campaign: only a real plan goes out.

A campaign launches with an objective, at least one KPI with a target and a horizon, its channels,
identifiers to recognise its traffic, and an owner. When the subject can divide the audience (marked
disputable, or a draft post whose backlash risk is "high", see `tending.campaign.risk`), it also needs
MIN_SCENARIOS worst-case scenarios, each with what would happen, triggers, a responder and a prepared
reaction. A refusal lists every missing piece at once, so the team fixes them in one pass.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.auth.models import User
from tending.auth.service import can_access
from tending.campaign.models import Campaign, CampaignStatus, Scenario
from tending.campaign.service import get_campaign, list_kpis, list_scenarios, refresh_draft_risks
from tending.errors import Conflict

MIN_SCENARIOS = 5


class LaunchRefused(Conflict, ValueError):
    """The campaign is not ready; `missing` names each piece to add."""

    def __init__(self, campaign_id: int, missing: list[str]) -> None:
        self.campaign_id = campaign_id
        self.missing = missing
        super().__init__(f"campaign {campaign_id} cannot launch: " + "; ".join(missing))

    def detail(self) -> dict[str, object]:
        return {"message": "campaign cannot launch yet", "missing": self.missing}


def _scenario_gaps(session: Session, scenario: Scenario, *, workspace_id: int) -> list[str]:
    gaps = scenario.missing()
    responder = session.get(User, scenario.responder_id) if scenario.responder_id is not None else None
    if responder is not None and not (
        responder.active and can_access(session, user=responder, workspace_id=workspace_id)
    ):
        # Never the person's name: it may be someone of another workspace.
        gaps.append("a responder who is an active member here (the one set is not)")
    return gaps


def launch_requirements(session: Session, *, campaign: Campaign, now: datetime | None = None) -> list[str]:
    """Every piece the campaign still lacks before it may launch (empty when ready)."""
    missing: list[str] = []
    if campaign.status != CampaignStatus.draft.value:
        missing.append(f"campaign is {campaign.status}, only a draft can launch")
    if not campaign.objective.strip():
        missing.append("objective: say what the campaign should achieve")
    kpis = list_kpis(session, campaign_id=campaign.id)
    if not any(k.target is not None and k.horizon_days for k in kpis):
        missing.append("KPI: at least one KPI with a target value and a horizon in days")
    if not campaign.channels:
        missing.append("channels: pick the channels the campaign runs on")
    if not campaign.identifiers:
        missing.append("identifiers: at least one hashtag, link or keyword to recognise its traffic")
    owner = session.get(User, campaign.owner_id) if campaign.owner_id is not None else None
    if owner is None or not owner.active:
        missing.append("owner: an active team member who answers for the campaign")
    elif not can_access(session, user=owner, workspace_id=campaign.workspace_id):
        missing.append("owner: the one set is not a member of this workspace")

    drafts = refresh_draft_risks(session, campaign=campaign, now=now)
    risky = [d for d in drafts if d.risk_level == "high"]
    if campaign.disputable or risky:
        why = (
            "marked disputable"
            if campaign.disputable
            else (f"draft post(s) {', '.join(str(d.id) for d in risky)} carry high backlash risk")
        )
        scenarios = list_scenarios(session, campaign_id=campaign.id)
        gaps = {s.id: _scenario_gaps(session, s, workspace_id=campaign.workspace_id) for s in scenarios}
        complete = [s for s in scenarios if not gaps[s.id]]
        if len(complete) < MIN_SCENARIOS:
            missing.append(
                f"scenarios: {why}, so at least {MIN_SCENARIOS} complete worst-case scenarios are needed "
                f"(has {len(complete)} complete of {len(scenarios)})"
            )
        missing.extend(
            f"scenario {s.id} '{s.title}': missing {', '.join(gaps[s.id])}" for s in scenarios if gaps[s.id]
        )
    return missing


def launch_campaign(session: Session, *, campaign_id: int, actor: User | None, now: datetime) -> Campaign:
    """Mark the campaign launched and audit it, or raise LaunchRefused naming every missing piece."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    missing = launch_requirements(session, campaign=campaign, now=now)
    if missing:
        raise LaunchRefused(campaign.id, missing)
    campaign.status = CampaignStatus.launched.value
    campaign.launched_at = now
    entry = record(
        session,
        workspace_id=campaign.workspace_id,
        actor_id=actor.id if actor is not None else None,
        action="campaign.launch",
        target_type="campaign",
        target_id=campaign.id,
        detail={
            "name": campaign.name,
            "launched_at": now.isoformat(),
            "ends_at": campaign.ends_at.isoformat() if campaign.ends_at else None,
        },
    )
    entry.at = now
    session.flush()
    return campaign
