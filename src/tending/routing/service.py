"""Choosing who answers a conversation.

Order of decision, first that yields candidates wins:
1. the first active rule (by position, then id) whose match fields all fit the waiting message;
   a rule whose target has nobody left (no such member, empty team) is skipped;
2. a question goes to members whose expertise shares a topic with the message;
3. otherwise, the workspace's fallback owner, else its first admin, else its first member.

Among candidates, those available now (inside their own working hours, in their own time zone; no
hours set means always available) are served round-robin: the one whose last routed conversation came
longest ago goes next (a per-workspace turn counter kept in the database, so several workers stay fair).
When no candidate is available the least-loaded one (fewest open or waiting conversations) still gets
it: the person with the right skills answers when back, and the SLA check escalates if that is too
late. A conversation is never left with nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.auth.models import Role, User, WorkspaceMembership
from tending.inbox.models import Conversation, ConversationStatus, Direction, Message
from tending.routing.models import MemberRoutingState, RoutingRule, RoutingRuleCreate
from tending.sla.business_hours import ScheduleError, is_open, parse_schedule
from tending.workspace.models import Workspace


class RoutingError(RuntimeError):
    pass


@dataclass(frozen=True)
class RoutingDecision:
    conversation_id: int
    assignee_id: int
    reason: str  # "rule", "expertise" or "fallback"
    rule_id: int | None
    available: bool  # False when nobody matching was at work and the least-loaded was picked
    detail: str


@dataclass(frozen=True)
class _Signals:
    topics: frozenset[str]
    intent: str | None
    channel_id: int
    language: str | None
    sentiment: str | None


def create_rule(session: Session, *, workspace_id: int, rule_in: RoutingRuleCreate) -> RoutingRule:
    rule = RoutingRule(workspace_id=workspace_id, **rule_in.model_dump())
    session.add(rule)
    session.flush()
    return rule


def _signals(session: Session, conversation: Conversation) -> _Signals:
    """Triage fields of the latest visible inbound message (what is waiting for an answer)."""
    msg = session.scalar(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.direction == Direction.inbound.value,
            Message.hidden.is_(False),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    if msg is None:
        return _Signals(frozenset(), None, conversation.channel_id, None, None)
    return _Signals(
        topics=frozenset(t.lower() for t in (msg.topics or [])),
        intent=msg.intent,
        channel_id=conversation.channel_id,
        language=msg.language,
        sentiment=msg.sentiment,
    )


def rule_matches(rule: RoutingRule, signals: _Signals) -> bool:
    if rule.match_topics and not signals.topics & {t.lower() for t in rule.match_topics}:
        return False
    if rule.match_intents and signals.intent not in rule.match_intents:
        return False
    if rule.match_channel_ids and signals.channel_id not in rule.match_channel_ids:
        return False
    if rule.match_languages:
        # "pt-BR" matches a rule for "pt-BR" or for "pt"; a rule for "pt-BR" does not take plain "pt".
        wanted = {lang.lower() for lang in rule.match_languages}
        lang = (signals.language or "").lower()
        if lang not in wanted and lang.split("-")[0] not in wanted:
            return False
    return not (rule.match_sentiments and signals.sentiment not in rule.match_sentiments)


def _members(session: Session, workspace_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(WorkspaceMembership, WorkspaceMembership.user_id == User.id)
            .where(WorkspaceMembership.workspace_id == workspace_id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def is_available(user: User, at: datetime) -> bool:
    """Inside the member's working hours in their own time zone; a broken schedule counts as always
    available rather than silently starving the member."""
    try:
        schedule = parse_schedule(
            user.working_hours, user.timezone or "UTC", field=f"user[{user.id}].working_hours"
        )
    except ScheduleError:
        return True
    return is_open(at, schedule)


def _open_load(session: Session, workspace_id: int, user_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Conversation.assignee_id, func.count())
        .where(
            Conversation.workspace_id == workspace_id,
            Conversation.assignee_id.in_(user_ids),
            Conversation.status.in_([ConversationStatus.open.value, ConversationStatus.waiting.value]),
        )
        .group_by(Conversation.assignee_id)
    )
    return {uid: n for uid, n in rows if uid is not None}


def _states(session: Session, workspace_id: int, user_ids: list[int]) -> dict[int, MemberRoutingState]:
    rows = session.scalars(
        select(MemberRoutingState).where(
            MemberRoutingState.workspace_id == workspace_id, MemberRoutingState.user_id.in_(user_ids)
        )
    )
    return {s.user_id: s for s in rows}


def _pick(session: Session, workspace_id: int, candidates: list[User], now: datetime) -> tuple[User, bool]:
    ids = [u.id for u in candidates]
    states = _states(session, workspace_id, ids)

    def turn(u: User) -> tuple[int, int]:
        return (states[u.id].last_turn if u.id in states else 0, u.id)

    available = [u for u in candidates if is_available(u, now)]
    if available:
        return min(available, key=turn), True
    load = _open_load(session, workspace_id, ids)
    return min(candidates, key=lambda u: (load.get(u.id, 0), *turn(u))), False


def _named(session: Session, user_id: int | None, by_id: dict[int, User]) -> User | None:
    """A person a rule or the fallback names: a member of the workspace, or an admin (admins work every
    workspace without being members of it, as the team page shows)."""
    if user_id is None:
        return None
    if user_id in by_id:
        return by_id[user_id]
    user = session.get(User, user_id)
    return user if user is not None and user.active and user.role == Role.admin.value else None


def _fallback(session: Session, workspace_id: int, members: list[User]) -> User:
    ws = session.get(Workspace, workspace_id)
    by_id = {u.id: u for u in members}
    owner = _named(session, ws.fallback_owner_id if ws is not None else None, by_id)
    if owner is not None:
        return owner
    admins = [u for u in members if u.role == Role.admin.value]
    if admins:
        return admins[0]
    if members:
        return members[0]
    raise RoutingError(f"workspace {workspace_id} has no active member to route to")


def _mark(session: Session, workspace_id: int, user_id: int, now: datetime) -> None:
    state = session.scalar(
        select(MemberRoutingState).where(
            MemberRoutingState.workspace_id == workspace_id, MemberRoutingState.user_id == user_id
        )
    )
    last = session.scalar(
        select(func.max(MemberRoutingState.last_turn)).where(MemberRoutingState.workspace_id == workspace_id)
    )
    if state is None:
        state = MemberRoutingState(workspace_id=workspace_id, user_id=user_id, assigned_count=0)
        session.add(state)
    state.last_turn = (last or 0) + 1
    state.last_assigned_at = now
    state.assigned_count = (state.assigned_count or 0) + 1


def route_conversation(session: Session, *, conversation: Conversation, now: datetime) -> RoutingDecision:
    """Assign the conversation and write an audit entry; the caller commits."""
    ws_id = conversation.workspace_id
    members = _members(session, ws_id)
    by_id = {u.id: u for u in members}
    signals = _signals(session, conversation)
    decision: tuple[list[User], str, int | None, str] | None = None

    rules = session.scalars(
        select(RoutingRule)
        .where(RoutingRule.workspace_id == ws_id, RoutingRule.active.is_(True))
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    for rule in rules:
        if not rule_matches(rule, signals):
            continue
        if rule.target_member_id is not None:
            named = _named(session, rule.target_member_id, by_id)
            team = [named] if named is not None else []
        else:
            tag = (rule.target_expertise or "").lower()
            team = [u for u in members if tag in {e.lower() for e in (u.expertise or [])}]
        if team:
            decision = (team, "rule", rule.id, f"rule {rule.name!r}")
            break

    if decision is None and signals.intent == "question" and signals.topics:
        experts = [u for u in members if signals.topics & {e.lower() for e in (u.expertise or [])}]
        if experts:
            decision = (experts, "expertise", None, "question on " + ", ".join(sorted(signals.topics)))

    if decision is not None:
        candidates, reason, rule_id, why = decision
        chosen, available = _pick(session, ws_id, candidates, now)
        if not available:
            why += "; nobody matching at work now, least-loaded member chosen"
    else:
        chosen, available = _fallback(session, ws_id, members), True
        reason, rule_id, why = "fallback", None, "no rule or expertise matched; fallback owner"

    previous = conversation.assignee_id
    conversation.assignee_id = chosen.id
    _mark(session, ws_id, chosen.id, now)
    record(
        session,
        workspace_id=ws_id,
        actor_id=None,
        action="conversation.route",
        target_type="conversation",
        target_id=conversation.id,
        detail={"from": previous, "to": chosen.id, "reason": reason, "rule_id": rule_id, "why": why},
    )
    return RoutingDecision(conversation.id, chosen.id, reason, rule_id, available, why)


def route_unassigned(session: Session, *, workspace_id: int, now: datetime) -> list[RoutingDecision]:
    """Route every unassigned conversation that waits for a reply, oldest first (for a periodic task)."""
    conversations = session.scalars(
        select(Conversation)
        .where(
            Conversation.workspace_id == workspace_id,
            Conversation.assignee_id.is_(None),
            Conversation.needs_reply == true(),
            Conversation.status != ConversationStatus.closed.value,
        )
        .order_by(Conversation.first_inbound_at, Conversation.id)
    )
    out = []
    for conv in list(conversations):
        out.append(route_conversation(session, conversation=conv, now=now))
        session.flush()
    return out
