"""Response-time targets: which policy applies, where a conversation stands, and the periodic check.

Two clocks are kept apart on purpose. Wall-clock time (nights and weekends included) is what the
customer lives through and is what reports show first. Business time, counted in the policy's hours
and time zone, is what targets are measured against, so a team is not "late" for a Saturday message it
answers first thing Monday.

Escalation on breach informs, it does not take: the policy's escalation member is told (named in the
alert and its notices, and mailed their own copy where the team takes alerts by e-mail) and added as a
watcher of the conversation, while the owner keeps the work unless a person reassigns it. Routing
sends questions to the experts who can answer them; handing every late one to a single escalation
person would empty the experts' queues into one that nobody can keep up with.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tending.alerts.models import IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.audit.models import AuditEntry
from tending.auth.models import User
from tending.config import Settings, get_settings
from tending.inbox.models import Conversation, ConversationStatus, ConversationWatcher, WatchReason
from tending.mail import send_mail
from tending.sla.business_hours import Schedule, add_business_seconds, business_seconds, parse_schedule
from tending.sla.models import (
    AlertDestination,
    DestinationKind,
    SlaAlert,
    SlaLevel,
    SlaMetric,
    SlaPolicy,
    SlaPolicyCreate,
)
from tending.sla.notify import Notice, active_destinations, deliver
from tending.sla.visible import has_visible_inbound

# Alerts notified one by one in a single check; beyond this, one summary notice covers the rest.
MAX_NOTICES_PER_RUN = 20


@dataclass(frozen=True)
class MetricStatus:
    metric: SlaMetric
    level: SlaLevel
    done: bool  # answered / resolved already
    wall_hours: float
    business_hours: float
    target_hours: float
    warn_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class SlaStatus:
    conversation_id: int
    policy_id: int
    metrics: tuple[MetricStatus, ...]

    @property
    def level(self) -> SlaLevel:
        order = [SlaLevel.ok, SlaLevel.warning, SlaLevel.breached]
        return max((m.level for m in self.metrics), key=order.index, default=SlaLevel.ok)


@dataclass(frozen=True)
class RaisedAlert:
    alert_id: int
    conversation_id: int
    metric: SlaMetric
    level: SlaLevel
    escalated_to_id: int | None


def create_policy(session: Session, *, workspace_id: int, policy_in: SlaPolicyCreate) -> SlaPolicy:
    policy = SlaPolicy(workspace_id=workspace_id, **policy_in.model_dump())
    session.add(policy)
    session.flush()
    return policy


def schedule_of(policy: SlaPolicy) -> Schedule:
    return parse_schedule(
        policy.business_hours, policy.timezone, field=f"sla_policy[{policy.id}].business_hours"
    )


def policies_by_priority(session: Session, *, workspace_id: int) -> dict[str | None, SlaPolicy]:
    """Active policies keyed by priority; the first created wins when two cover the same priority."""
    out: dict[str | None, SlaPolicy] = {}
    rows = session.scalars(
        select(SlaPolicy)
        .where(SlaPolicy.workspace_id == workspace_id, SlaPolicy.active.is_(True))
        .order_by(SlaPolicy.id)
    )
    for policy in rows:
        out.setdefault(policy.priority, policy)
    return out


def policy_for(policies: dict[str | None, SlaPolicy], conversation: Conversation) -> SlaPolicy | None:
    return policies.get(conversation.priority) or policies.get(None)


def _metric(
    metric: SlaMetric,
    *,
    start: datetime,
    end: datetime | None,
    now: datetime,
    target_hours: float,
    warn_fraction: float,
    schedule: Schedule,
) -> MetricStatus:
    stop = end or now
    spent = business_seconds(start, stop, schedule)
    target_s = target_hours * 3600
    warn_at = add_business_seconds(start, target_s * warn_fraction, schedule)
    due_at = add_business_seconds(start, target_s, schedule)
    # A running clock is breached once the deadline is reached (even if the business closed right then);
    # a finished one only if it took longer than the target.
    if spent > target_s or (end is None and spent >= target_s):
        level = SlaLevel.breached
    elif end is None and spent >= target_s * warn_fraction:
        level = SlaLevel.warning
    else:
        level = SlaLevel.ok
    return MetricStatus(
        metric=metric,
        level=level,
        done=end is not None,
        wall_hours=(stop - start).total_seconds() / 3600,
        business_hours=spent / 3600,
        target_hours=target_hours,
        warn_at=warn_at,
        due_at=due_at,
    )


def response_clock(conversation: Conversation) -> tuple[datetime, datetime | None] | None:
    """The response clock of one person's item: while the person waits it runs from their oldest waiting
    message (a follow-up after the brand's answer starts it again); else it ran from their first message
    to the brand's first answer. None when nobody waits and nobody was answered (all marked "no reply
    needed" or hidden): there is no clock to keep."""
    if conversation.waiting_since is not None:
        return conversation.waiting_since, None
    if conversation.first_inbound_at is not None and conversation.first_response_at is not None:
        return conversation.first_inbound_at, conversation.first_response_at
    return None


def sla_status(*, conversation: Conversation, policy: SlaPolicy, now: datetime) -> SlaStatus:
    """Where a conversation stands against a policy. A finished metric is `breached` if it was late,
    else `ok`; only a running one can be in `warning`."""
    metrics: list[MetricStatus] = []
    start = conversation.first_inbound_at
    clock = response_clock(conversation)
    if start is not None:
        schedule = schedule_of(policy)
        if clock is not None:
            metrics.append(
                _metric(
                    SlaMetric.first_response,
                    start=clock[0],
                    end=clock[1],
                    now=now,
                    target_hours=policy.first_response_hours,
                    warn_fraction=policy.warn_fraction,
                    schedule=schedule,
                )
            )
        if policy.resolution_hours is not None:
            metrics.append(
                _metric(
                    SlaMetric.resolution,
                    start=start,
                    end=conversation.resolved_at,
                    now=now,
                    target_hours=policy.resolution_hours,
                    warn_fraction=policy.warn_fraction,
                    schedule=schedule,
                )
            )
    return SlaStatus(conversation_id=conversation.id, policy_id=policy.id, metrics=tuple(metrics))


def sla_level(*, conversation: Conversation, policy: SlaPolicy, now: datetime) -> SlaLevel:
    """The same level `sla_status` gives, without counting business time over the whole life of the
    conversation: a running clock only compares `now` with its deadlines, a finished one counts the
    business time between its deadline and its end. Lists show this for every row."""
    first = conversation.first_inbound_at
    if first is None:
        return SlaLevel.ok
    schedule = schedule_of(policy)
    clocks: list[tuple[float, datetime, datetime | None]] = []
    response = response_clock(conversation)
    if response is not None:
        clocks.append((policy.first_response_hours, *response))
    if policy.resolution_hours is not None:
        clocks.append((policy.resolution_hours, first, conversation.resolved_at))
    level = SlaLevel.ok
    for target_hours, start, end in clocks:
        target_s = target_hours * 3600
        due_at = add_business_seconds(start, target_s, schedule)
        if end is None:
            if now >= due_at:
                return SlaLevel.breached
            if now >= add_business_seconds(start, target_s * policy.warn_fraction, schedule):
                level = SlaLevel.warning
        elif end > due_at and business_seconds(due_at, end, schedule) > 0:
            return SlaLevel.breached
    return level


def sla_for_conversation(session: Session, *, conversation: Conversation, now: datetime) -> SlaStatus | None:
    """The status against the policy that covers this conversation; None when no policy covers it."""
    policy = policy_for(policies_by_priority(session, workspace_id=conversation.workspace_id), conversation)
    return None if policy is None else sla_status(conversation=conversation, policy=policy, now=now)


def _notice(
    conversation: Conversation, status: MetricStatus, owner: int | None, escalated_to: int | None
) -> Notice:
    what = "first response" if status.metric is SlaMetric.first_response else "resolution"
    if status.level is SlaLevel.breached:
        subject = f"SLA breached: {what} for conversation {conversation.id}"
    else:
        subject = f"SLA warning: {what} for conversation {conversation.id} is due soon"
    lines = [
        f"Conversation {conversation.id} has waited {status.wall_hours:.1f} h on the clock "
        f"({status.business_hours:.1f} business h) against a {status.target_hours:g} business-hour target.",
        f"Due at {status.due_at.isoformat()}.",
    ]
    if escalated_to is not None:
        lines.append(
            f"Escalated to member {escalated_to}, who now watches it; member {owner} keeps it "
            "unless someone reassigns it."
        )
    payload = {
        "event": f"sla.{status.level.value}",
        "conversation_id": conversation.id,
        "workspace_id": conversation.workspace_id,
        "metric": status.metric.value,
        "level": status.level.value,
        "wall_hours": round(status.wall_hours, 3),
        "business_hours": round(status.business_hours, 3),
        "target_hours": status.target_hours,
        "due_at": status.due_at.isoformat(),
        "assignee_id": conversation.assignee_id,
        "escalated_to_id": escalated_to,
        "preview": conversation.preview,
    }
    return Notice(subject=subject, text="\n".join(lines), payload=payload)


def _open_conversations(session: Session, *, workspace_id: int) -> list[Conversation]:
    return list(
        session.scalars(
            select(Conversation)
            .where(
                Conversation.workspace_id == workspace_id,
                Conversation.first_inbound_at.is_not(None),
                has_visible_inbound(),
                or_(
                    Conversation.needs_reply.is_(True),
                    Conversation.first_response_at.is_(None),
                    Conversation.resolved_at.is_(None),
                ),
                Conversation.status != ConversationStatus.closed.value,
            )
            .order_by(Conversation.first_inbound_at, Conversation.id)
        )
    )


def _nothing_left_to_raise(conv: Conversation, policy: SlaPolicy, raised: set[tuple[int, str, str]]) -> bool:
    """True when every running clock of the conversation has had its breach alert: the check can skip the
    business-hours arithmetic, which keeps the periodic run cheap on a long backlog."""
    running = []
    if conv.waiting_since is not None:
        running.append(SlaMetric.first_response.value)
    if policy.resolution_hours is not None and conv.resolved_at is None:
        running.append(SlaMetric.resolution.value)
    return all((conv.id, metric, SlaLevel.breached.value) in raised for metric in running)


def _notify(
    session: Session,
    workspace_id: int,
    pending: list[tuple[SlaAlert, Notice]],
    settings: Settings,
    http_client: httpx.Client | None,
    destinations: list[AlertDestination],
) -> None:
    """One notice per alert up to MAX_NOTICES_PER_RUN, then one summary for the rest, so that enabling a
    policy on an old backlog (or an outage of the desk) does not flood the team's channels."""
    if not destinations:
        return
    for alert, notice in pending[:MAX_NOTICES_PER_RUN]:
        results = deliver(
            session,
            workspace_id=workspace_id,
            notice=notice,
            settings=settings,
            http_client=http_client,
            destinations=destinations,
        )
        alert.deliveries = [r.as_dict() for r in results]
    rest = pending[MAX_NOTICES_PER_RUN:]
    if not rest:
        return
    breached = sum(a.level == SlaLevel.breached.value for a, _ in rest)
    summary = Notice(
        subject=f"SLA: {len(rest)} more alerts",
        text=(
            f"{len(rest)} more conversations need attention ({breached} breached, "
            f"{len(rest) - breached} due soon). Open the inbox sorted by waiting time."
        ),
        payload={
            "event": "sla.summary",
            "workspace_id": workspace_id,
            "count": len(rest),
            "breached": breached,
            "conversation_ids": [a.conversation_id for a, _ in rest][:500],
        },
    )
    results = deliver(
        session,
        workspace_id=workspace_id,
        notice=summary,
        settings=settings,
        http_client=http_client,
        destinations=destinations,
    )
    for alert, _ in rest:
        alert.deliveries = [{**r.as_dict(), "summary": True} for r in results]


def check_sla(
    session: Session,
    *,
    workspace_id: int,
    now: datetime,
    settings: Settings | None = None,
    http_client: httpx.Client | None = None,
) -> list[RaisedAlert]:
    """Raise each warning and breach once, escalate breaches, notify. Safe to run every minute.

    A check that runs late may find a conversation already breached; it then raises the breach only, since
    a warning after the fact helps nobody. The caller commits.
    """
    settings = settings or get_settings()
    policies = policies_by_priority(session, workspace_id=workspace_id)
    if not policies:
        return []
    conversations = _open_conversations(session, workspace_id=workspace_id)
    if not conversations:
        return []
    raised_before = {
        (cid, metric, level)
        for cid, metric, level in session.execute(
            # A join rather than a list of ids: the backlog can exceed a database's bound-parameter limit.
            select(SlaAlert.conversation_id, SlaAlert.metric, SlaAlert.level)
            .join(Conversation, Conversation.id == SlaAlert.conversation_id)
            .where(
                SlaAlert.workspace_id == workspace_id,
                Conversation.status != ConversationStatus.closed.value,
            )
        )
    }
    destinations = active_destinations(session, workspace_id=workspace_id)
    watching = {
        (cid, uid)
        for cid, uid in session.execute(
            select(ConversationWatcher.conversation_id, ConversationWatcher.user_id)
            .join(Conversation, Conversation.id == ConversationWatcher.conversation_id)
            .where(Conversation.workspace_id == workspace_id)
        )
    }
    pending: list[tuple[SlaAlert, Notice]] = []
    by_alert: dict[int, Conversation] = {}
    for conv in conversations:
        policy = policy_for(policies, conv)
        if policy is None or _nothing_left_to_raise(conv, policy, raised_before):
            continue
        for status in sla_status(conversation=conv, policy=policy, now=now).metrics:
            if status.done or status.level is SlaLevel.ok:
                continue
            key = (conv.id, status.metric.value, status.level.value)
            if key in raised_before:
                continue
            if (
                status.level is SlaLevel.warning
                and (conv.id, status.metric.value, "breached") in raised_before
            ):
                continue
            owner = conv.assignee_id
            escalated_to = None
            if (
                status.level is SlaLevel.breached
                and policy.escalation_member_id is not None
                and conv.assignee_id != policy.escalation_member_id
            ):
                escalated_to = policy.escalation_member_id
                if (conv.id, escalated_to) not in watching:
                    watching.add((conv.id, escalated_to))
                    session.add(
                        ConversationWatcher(
                            conversation_id=conv.id, user_id=escalated_to, reason=WatchReason.escalation.value
                        )
                    )
                # Added, not flushed one by one: a backlog can escalate thousands at once.
                session.add(
                    AuditEntry(
                        workspace_id=workspace_id,
                        actor_id=None,
                        action="conversation.escalate",
                        target_type="conversation",
                        target_id=conv.id,
                        detail={
                            "owner": owner,
                            "watcher": escalated_to,
                            "policy_id": policy.id,
                            "metric": status.metric.value,
                        },
                    )
                )
            alert = SlaAlert(
                workspace_id=workspace_id,
                conversation_id=conv.id,
                policy_id=policy.id,
                metric=status.metric.value,
                level=status.level.value,
                elapsed_business_hours=status.business_hours,
                target_hours=status.target_hours,
                due_at=status.due_at,
                raised_at=now,
                escalated_to_id=escalated_to,
            )
            session.add(alert)
            raised_before.add(key)
            pending.append((alert, _notice(conv, status, owner, escalated_to)))
            by_alert[id(alert)] = conv
    session.flush()  # one batched insert gives every alert its id
    session.add_all(
        AuditEntry(
            workspace_id=workspace_id,
            actor_id=None,
            action=f"sla.{alert.level}",
            target_type="conversation",
            target_id=alert.conversation_id,
            detail={"alert_id": alert.id, "metric": alert.metric},
        )
        for alert, _ in pending
    )
    out = [
        RaisedAlert(a.id, a.conversation_id, SlaMetric(a.metric), SlaLevel(a.level), a.escalated_to_id)
        for a, _ in pending
    ]
    _notify(session, workspace_id, pending, settings, http_client, destinations)
    if any(d.kind == DestinationKind.email.value for d in destinations):
        _tell_escalation_members(session, pending, settings)
    record_alerts(
        session,
        workspace_id=workspace_id,
        signals=[_signal(by_alert[id(alert)], alert, notice) for alert, notice in pending],
    )
    session.flush()
    return out


def _signal(conversation: Conversation, alert: SlaAlert, notice: Notice) -> AlertSignal:
    """The alert as the alerts inbox groups it: per channel, warnings apart from breaches."""
    breached = alert.level == SlaLevel.breached.value
    what = "First reply" if alert.metric == SlaMetric.first_response.value else "Resolution"
    wall = notice.payload.get("wall_hours", 0.0)
    return AlertSignal(
        kind=IncidentKind.sla_breach if breached else IncidentKind.sla_warning,
        at=alert.raised_at,
        title="Replies past their response target" if breached else "Replies due soon",
        summary=(
            f"{what} {'late' if breached else 'due soon'} after {wall:.0f} h: “{conversation.preview[:120]}”"
        ),
        channel_id=conversation.channel_id,
        evidence={"conversation_id": conversation.id, "metric": alert.metric, "sla_alert_id": alert.id},
        conversation_ids=[conversation.id],
    )


def _tell_escalation_members(
    session: Session, pending: list[tuple[SlaAlert, Notice]], settings: Settings
) -> None:
    """Where the team takes alerts by e-mail, mail each escalation member the breach they now watch, up
    to MAX_NOTICES_PER_RUN; the outcome is kept with the alert's other deliveries."""
    escalated = [(a, n) for a, n in pending if a.escalated_to_id is not None]
    if not settings.smtp_url or not escalated:
        return
    for alert, notice in escalated[:MAX_NOTICES_PER_RUN]:
        person = session.get(User, alert.escalated_to_id)
        if person is None or not person.email:
            continue
        entry: dict[str, Any] = {"kind": "email", "user_id": person.id, "ok": True, "error": None}
        try:
            send_mail(settings, to=[person.email], subject=notice.subject, text=notice.text)
        except (OSError, RuntimeError, smtplib.SMTPException) as exc:
            entry |= {"ok": False, "error": str(exc)[:300]}
        alert.deliveries = [*(alert.deliveries or []), entry]
