"""Grouping alerts into incidents, and the acknowledge / resolve actions people take on them.

Every detector hands its new alerts to `record_alerts`. An alert joins the unresolved incident of the
same kind family and scope whose time span it overlaps, widened by the kind's gap; otherwise it opens a
new one. Bursts (volume and negative-share spikes, worst-case matches) and late replies are one event
across the workspace: a recall wave spiking on two channels while its messages fit a campaign's worst
case is one incident with all its evidence, not one per channel plus one per campaign. Stale channels
and audience jumps stay per channel, where each is its own problem. The time is that of the event (a
spike's bucket, a message's arrival), so history run through the detectors later still lands on the day
it happened.

The service flushes; the request or task that calls it commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_, select
from sqlalchemy.orm import Session, defer

from tending.alerts.models import AlertIncident, IncidentAction, IncidentKind, IncidentState
from tending.audit.service import record
from tending.auth.models import User
from tending.campaign.models import Campaign
from tending.channel.models import Channel
from tending.errors import Conflict
from tending.inbox.models import Conversation, Message
from tending.workspace.models import Workspace

# How far apart two alerts of one kind and scope may be and still be the same incident.
GAPS: dict[IncidentKind, timedelta] = {
    IncidentKind.spike: timedelta(hours=6),
    IncidentKind.negative_spike: timedelta(hours=6),
    IncidentKind.scenario_match: timedelta(hours=6),
    IncidentKind.sla_warning: timedelta(hours=6),
    IncidentKind.sla_breach: timedelta(hours=6),
    IncidentKind.cadence: timedelta(days=8),  # weekly checks of one stale channel stay one incident
    IncidentKind.audience_jump: timedelta(days=3),
    IncidentKind.reconnect_needed: timedelta(days=30),  # one incident until someone reconnects
}
MAX_EVIDENCE = 20
# Kinds that describe one event when they overlap in time anywhere in the workspace.
FAMILIES: dict[IncidentKind, str] = {
    IncidentKind.spike: "burst",
    IncidentKind.negative_spike: "burst",
    IncidentKind.scenario_match: "burst",
    IncidentKind.sla_warning: "late_replies",
    IncidentKind.sla_breach: "late_replies",
}
MAX_LINKED = 500
# Alerts an incident needs before people see it. One complaint that uses a scenario's keyword ("my
# order is late") is on the campaign page with its prepared reaction; the worst case is happening when
# several people say it within hours.
QUORUM: dict[IncidentKind, int] = {IncidentKind.scenario_match: 3}


ATTENTION_ORDER = (
    IncidentKind.reconnect_needed,
    IncidentKind.negative_spike,
    IncidentKind.spike,
    IncidentKind.scenario_match,
    IncidentKind.audience_jump,
    IncidentKind.sla_breach,
    IncidentKind.sla_warning,
    IncidentKind.cadence,
)


def shown() -> ColumnElement[bool]:
    """Incidents that have reached their kind's quorum."""
    return not_(
        or_(
            false(),
            *(
                and_(AlertIncident.kind == kind.value, AlertIncident.alert_count < n)
                for kind, n in QUORUM.items()
            ),
        )
    )


class IncidentStateError(Conflict, ValueError):
    """The action does not apply to the incident in its current state."""


@dataclass(frozen=True)
class AlertSignal:
    """One alert as a detector raised it, in the terms the incident keeps."""

    kind: IncidentKind
    at: datetime
    title: str
    # The evidence line for this one alert; the title when not given.
    summary: str = ""
    channel_id: int | None = None
    campaign_id: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    message_ids: Sequence[int] = ()
    conversation_ids: Sequence[int] = ()
    # A signal whose key is already in the incident's evidence is not counted again.
    key: str | None = None

    @property
    def scope_key(self) -> str:
        """Where the incident groups: the workspace for kinds of a family, else the channel or campaign."""
        return "workspace" if self.kind in FAMILIES else self.own_scope

    @property
    def own_scope(self) -> str:
        """The channel or campaign this one alert is about."""
        if self.campaign_id is not None:
            return f"campaign:{self.campaign_id}"
        if self.channel_id is not None:
            return f"channel:{self.channel_id}"
        return "workspace"


def family_kinds(kind: IncidentKind) -> list[str]:
    """The kinds an incident of `kind` may hold."""
    family = FAMILIES.get(kind)
    return [k.value for k, f in FAMILIES.items() if f == family] if family else [kind.value]


def _rank(kind: str) -> int:
    return ATTENTION_ORDER.index(IncidentKind(kind))


def _fits(incident: AlertIncident, at: datetime, gap: timedelta) -> bool:
    return incident.opened_at - gap <= at <= incident.last_at + gap


def _merge_ids(current: list[int], new: Iterable[int]) -> list[int]:
    seen = set(current)
    out = list(current)
    for i in new:
        if len(out) >= MAX_LINKED:
            break
        if i not in seen:
            seen.add(i)
            out.append(int(i))
    return out


def record_alerts(
    session: Session, *, workspace_id: int, signals: Iterable[AlertSignal]
) -> list[AlertIncident]:
    """File each signal under its incident (new or existing); returns the incidents touched, in order.

    One query per kind and scope that has no incident at hand yet, so a check raising a thousand SLA
    breaches costs a handful of queries, not a thousand.
    """
    touched: dict[int, AlertIncident] = {}
    at_hand: dict[tuple[str, str], AlertIncident] = {}
    for signal in sorted(signals, key=lambda s: s.at):
        kind = IncidentKind(signal.kind)
        gap = GAPS[kind]
        scope = signal.scope_key
        family = FAMILIES.get(kind, kind.value)
        incident = at_hand.get((family, scope))
        if incident is None or not _fits(incident, signal.at, gap):
            incident = session.scalar(
                select(AlertIncident)
                .where(
                    AlertIncident.workspace_id == workspace_id,
                    AlertIncident.kind.in_(family_kinds(kind)),
                    AlertIncident.scope_key == scope,
                    AlertIncident.state != IncidentState.resolved.value,
                    AlertIncident.last_at >= signal.at - gap,
                    AlertIncident.opened_at <= signal.at + gap,
                )
                .order_by(AlertIncident.last_at.desc())
                .limit(1)
            )
        if incident is None:
            incident = AlertIncident(
                workspace_id=workspace_id,
                kind=kind.value,
                scope_key=scope,
                channel_id=signal.channel_id,
                campaign_id=signal.campaign_id,
                title=signal.title[:300],
                opened_at=signal.at,
                last_at=signal.at,
                alert_count=0,
                state=IncidentState.open.value,
                evidence=[],
                message_ids=[],
                conversation_ids=[],
            )
            session.add(incident)
        if signal.key is not None and any(e.get("key") == signal.key for e in incident.evidence):
            at_hand[(family, scope)] = incident
            continue
        _widen(incident, signal)
        incident.alert_count += 1
        incident.opened_at = min(incident.opened_at, signal.at)
        incident.last_at = max(incident.last_at, signal.at)
        # Past the cap, a kind or place the incident has no line for yet still gets its first one.
        new_here = not any(
            e.get("kind", incident.kind) == kind.value and e.get("scope") == signal.own_scope
            for e in incident.evidence
        )
        if len(incident.evidence) < MAX_EVIDENCE or new_here:
            item = {
                "at": signal.at.isoformat(),
                "summary": signal.summary or signal.title,
                "kind": kind.value,
                "scope": signal.own_scope,
                **signal.evidence,
            }
            if signal.key is not None:
                item["key"] = signal.key
            incident.evidence = [*incident.evidence, item]  # reassigned, so the JSON column is saved
        if signal.message_ids:
            incident.message_ids = _merge_ids(incident.message_ids, signal.message_ids)
        if signal.conversation_ids:
            incident.conversation_ids = _merge_ids(incident.conversation_ids, signal.conversation_ids)
        at_hand[(family, scope)] = incident
        touched[id(incident)] = incident
    session.flush()
    return list(touched.values())


def _widen(incident: AlertIncident, signal: AlertSignal) -> None:
    """A grouped incident takes the most pressing kind among its alerts (a spike outranks the worst-case
    matches it came with) and its title; it names the first channel and campaign it saw."""
    if incident.alert_count and _rank(signal.kind) < _rank(incident.kind):
        incident.kind = IncidentKind(signal.kind).value
        incident.title = signal.title[:300]
    if incident.channel_id is None:
        incident.channel_id = signal.channel_id
    if incident.campaign_id is None:
        incident.campaign_id = signal.campaign_id


def _audited(
    session: Session, incident: AlertIncident, actor: User, action: str, extra: dict[str, Any] | None = None
) -> AlertIncident:
    record(
        session,
        workspace_id=incident.workspace_id,
        actor_id=actor.id,
        action=action,
        target_type="alert_incident",
        target_id=incident.id,
        detail={"kind": incident.kind, "title": incident.title, **(extra or {})},
    )
    return incident


def acknowledge(session: Session, *, incident: AlertIncident, actor: User, now: datetime) -> AlertIncident:
    """Someone is on it: the team sees who, and the incident stops asking for attention."""
    if incident.state != IncidentState.open.value:
        raise IncidentStateError(f"the incident is already {incident.state}")
    incident.state = IncidentState.acknowledged.value
    incident.acknowledged_by_id = actor.id
    incident.acknowledged_at = now
    return _audited(session, incident, actor, "alert.acknowledge")


def resolve(
    session: Session, *, incident: AlertIncident, actor: User, now: datetime, note: str = ""
) -> AlertIncident:
    """Done with it; an alert of the same kind and scope after this opens a new incident."""
    if incident.state == IncidentState.resolved.value:
        raise IncidentStateError("the incident is already resolved")
    previous = incident.state
    if incident.acknowledged_at is None:
        incident.acknowledged_by_id = actor.id
        incident.acknowledged_at = now
    incident.state = IncidentState.resolved.value
    incident.resolved_by_id = actor.id
    incident.resolved_at = now
    return _audited(session, incident, actor, "alert.resolve", {"from": previous, "note": note[:500]})


def act(
    session: Session,
    *,
    incident: AlertIncident,
    action: IncidentAction,
    actor: User,
    now: datetime,
    note: str = "",
) -> AlertIncident:
    """The one entry point of the API and the dashboard for what a person does to an incident."""
    if action is IncidentAction.acknowledge:
        return acknowledge(session, incident=incident, actor=actor, now=now)
    return resolve(session, incident=incident, actor=actor, now=now, note=note)


def get_incident(session: Session, *, workspace_id: int, incident_id: int) -> AlertIncident | None:
    incident = session.get(AlertIncident, incident_id)
    return incident if incident is not None and incident.workspace_id == workspace_id else None


def list_incidents(
    session: Session,
    *,
    workspace_id: int,
    states: Sequence[IncidentState] = (),
    kind: IncidentKind | None = None,
    limit: int = 50,
    offset: int = 0,
    by_attention: bool = False,
) -> tuple[list[AlertIncident], int]:
    """Incidents newest first (by when they last fired), or in `attention_order`, with the total for
    paging; no states: all."""
    conditions = [AlertIncident.workspace_id == workspace_id, shown()]
    if states:
        conditions.append(AlertIncident.state.in_([s.value for s in states]))
    if kind is not None:
        conditions.append(AlertIncident.kind == kind.value)
    total = int(session.scalar(select(func.count(AlertIncident.id)).where(*conditions)) or 0)
    order = attention_order() if by_attention else (AlertIncident.last_at.desc(), AlertIncident.id.desc())
    # Ids first, rows second: the sort then moves small tuples, not rows carrying their JSON evidence.
    ids = list(
        session.scalars(
            select(AlertIncident.id).where(*conditions).order_by(*order).limit(limit).offset(offset)
        )
    )
    found = {
        r.id: r
        for r in session.scalars(
            select(AlertIncident)
            .where(AlertIncident.id.in_(ids))
            .options(defer(AlertIncident.message_ids), defer(AlertIncident.conversation_ids))
        )
    }
    return [found[i] for i in ids], total


def count_by_state(session: Session, *, workspace_id: int) -> dict[IncidentState, int]:
    rows = session.execute(
        select(AlertIncident.state, func.count(AlertIncident.id))
        .where(AlertIncident.workspace_id == workspace_id, shown())
        .group_by(AlertIncident.state)
    ).all()
    found = {str(s): int(n) for s, n in rows}
    return {s: found.get(s.value, 0) for s in IncidentState}


def attention_order() -> tuple[ColumnElement[Any], ...]:
    """Open before acknowledged, what happens to the brand (spikes, worst cases, audience) before the
    desk's own backlog (late replies, stale channels, which the inbox and channel pages show too), then
    the most recent."""
    return (
        case((AlertIncident.state == IncidentState.open.value, 0), else_=1),
        case(
            *((AlertIncident.kind == kind.value, rank) for rank, kind in enumerate(ATTENTION_ORDER)),
            else_=len(ATTENTION_ORDER),
        ),
        AlertIncident.last_at.desc(),
        AlertIncident.id.desc(),
    )


def needing_attention(session: Session, *, workspace_id: int, limit: int = 5) -> list[AlertIncident]:
    """Unresolved incidents for the overview, in `attention_order`."""
    return list(
        session.scalars(
            select(AlertIncident)
            .where(
                AlertIncident.workspace_id == workspace_id,
                AlertIncident.state != IncidentState.resolved.value,
                shown(),
            )
            .order_by(*attention_order())
            .limit(limit)
        )
    )


def linked_messages(session: Session, *, incident: AlertIncident) -> list[tuple[Message, str]]:
    """The messages behind the incident with their channel's name, oldest first.

    Looked up by primary key only and checked against the workspace afterwards: with a workspace
    condition in SQL, SQLite walks the workspace's message index (a million rows) instead."""
    if not incident.message_ids:
        return []
    rows = [
        (m, name)
        for m, name in session.execute(
            select(Message, Channel.name)
            .join(Channel, Channel.id == Message.channel_id)
            .where(Message.id.in_(incident.message_ids))
        )
        if m.workspace_id == incident.workspace_id
    ]
    return sorted(rows, key=lambda r: (r[0].created_at, r[0].id))


def linked_conversations(session: Session, *, incident: AlertIncident) -> list[Conversation]:
    """The conversations behind the incident (SLA alerts name conversations), by primary key as above."""
    if not incident.conversation_ids:
        return []
    found = [
        c
        for c in session.scalars(select(Conversation).where(Conversation.id.in_(incident.conversation_ids)))
        if c.workspace_id == incident.workspace_id
    ]
    return sorted(found, key=lambda c: (c.last_inbound_at is None, c.last_inbound_at, c.id))


def incidents_in_period(
    session: Session, *, workspace_id: int, since: datetime, until: datetime
) -> list[AlertIncident]:
    """Incidents that began in [since, until): a report of one week does not repeat last week's."""
    return list(
        session.scalars(
            select(AlertIncident)
            .where(
                AlertIncident.workspace_id == workspace_id,
                AlertIncident.opened_at >= since,
                AlertIncident.opened_at < until,
                shown(),
            )
            .order_by(AlertIncident.opened_at, AlertIncident.id)
        )
    )


def describe(
    db: Session, workspace: Workspace, incidents: list[AlertIncident], *, evidence: int = MAX_EVIDENCE
) -> list[dict[str, Any]]:
    """What a person reads about each incident: kind, where, when (in the workspace's time zone), who,
    and its first `evidence` lines."""
    tz = ZoneInfo(workspace.timezone or "UTC")
    names = place_names(db, workspace)
    people_ids = {i.acknowledged_by_id for i in incidents} | {i.resolved_by_id for i in incidents}
    people: dict[int | None, str] = dict(
        db.execute(
            select(User.id, User.name).where(User.id.in_([p for p in people_ids if p is not None]))
        ).all()
    )

    # Counted in SQL (json_array_length on SQLite and PostgreSQL alike): a list needs the number of
    # linked messages, not the ids, which stay unloaded.
    links = {
        iid: int(m or c or 0)
        for iid, m, c in db.execute(
            select(
                AlertIncident.id,
                func.json_array_length(AlertIncident.message_ids),
                func.json_array_length(AlertIncident.conversation_ids),
            ).where(AlertIncident.id.in_([i.id for i in incidents]))
        )
    }

    def when(at: datetime) -> str:
        return at.astimezone(tz).strftime("%a %d %b %H:%M")

    rows = []
    for i in incidents:
        where = ", ".join(names.get(p, workspace.name) for p in places(i))
        span = when(i.opened_at)
        if i.last_at > i.opened_at:
            same_day = i.last_at.astimezone(tz).date() == i.opened_at.astimezone(tz).date()
            span += " – " + (i.last_at.astimezone(tz).strftime("%H:%M") if same_day else when(i.last_at))
        rows.append(
            {
                "incident": i,
                "label": IncidentKind(i.kind).label,
                "where": where,
                "span": span,
                "acknowledged_by": people.get(i.acknowledged_by_id),
                "resolved_by": people.get(i.resolved_by_id),
                "links": links.get(i.id, 0),
                "evidence": [
                    {**e, "when": when(datetime.fromisoformat(e["at"]))} if "at" in e else e
                    for e in i.evidence[:evidence]
                ],
            }
        )
    return rows


def places(incident: AlertIncident) -> list[str]:
    """The channels and campaigns an incident's alerts came from (scope keys), in the order they came."""
    found = [str(e["scope"]) for e in incident.evidence if e.get("scope")]
    if not found:  # incidents filed before their evidence named its place
        if incident.campaign_id is not None:
            found = [f"campaign:{incident.campaign_id}"]
        elif incident.channel_id is not None:
            found = [f"channel:{incident.channel_id}"]
        else:
            found = ["workspace"]
    return list(dict.fromkeys(found))


def place_names(db: Session, workspace: Workspace) -> dict[str, str]:
    """Scope key to what a person reads: the channel's name, "campaign <name>", the workspace's name."""
    return {
        "workspace": workspace.name,
        **{
            f"channel:{i}": str(n)
            for i, n in db.execute(
                select(Channel.id, Channel.name).where(Channel.workspace_id == workspace.id)
            )
        },
        **{
            f"campaign:{i}": f"campaign {n}"
            for i, n in db.execute(
                select(Campaign.id, Campaign.name).where(Campaign.workspace_id == workspace.id)
            )
        },
    }
