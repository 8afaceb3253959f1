from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.desk_fixtures import Msg, make_channel, make_conversation, make_user, make_workspace

from tending.audit.models import AuditEntry
from tending.inbox.models import Conversation
from tending.routing.models import MemberRoutingState, RoutingRuleCreate
from tending.routing.service import (
    RoutingError,
    create_rule,
    is_available,
    route_conversation,
    route_unassigned,
)
from tending.sla.business_hours import MON_FRI_9_17

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _ask(db: Session, ws, ch, *, at: datetime = MONDAY, **triage: object) -> Conversation:
    return make_conversation(db, ws, ch, [Msg("inbound", at, "hi", **triage)])  # type: ignore[arg-type]


def test_round_robin_is_fair_and_kept_in_the_database(db: Session) -> None:
    ws = make_workspace(db)
    team = [make_user(db, ws, n, expertise=["billing"]) for n in ("Ann", "Bob", "Cid")]
    make_user(db, ws, "Dan", expertise=["shipping"])
    ch = make_channel(db, ws)
    create_rule(
        db,
        workspace_id=ws.id,
        rule_in=RoutingRuleCreate(name="Billing", match_topics=["billing"], target_expertise="billing"),
    )
    picks = []
    for i in range(9):
        conv = _ask(db, ws, ch, topics=["Billing"], intent="complaint")
        decision = route_conversation(db, conversation=conv, now=MONDAY + timedelta(minutes=i))
        assert decision.reason == "rule" and decision.available
        picks.append(decision.assignee_id)
        db.expunge_all()  # nothing is remembered outside the database
    assert picks == [u.id for u in team] * 3
    states = {s.user_id: s.assigned_count for s in db.scalars(select(MemberRoutingState))}
    assert states == {u.id: 3 for u in team}


def test_round_robin_stays_fair_when_a_batch_shares_one_clock(db: Session) -> None:
    ws = make_workspace(db)
    team = [make_user(db, ws, n, expertise=["billing"]) for n in ("Ann", "Bob", "Cid")]
    ch = make_channel(db, ws)
    create_rule(
        db,
        workspace_id=ws.id,
        rule_in=RoutingRuleCreate(name="Billing", match_topics=["billing"], target_expertise="billing"),
    )
    for _ in range(7):
        _ask(db, ws, ch, topics=["billing"])
    decisions = route_unassigned(db, workspace_id=ws.id, now=MONDAY)
    assert Counter(d.assignee_id for d in decisions) == {team[0].id: 3, team[1].id: 2, team[2].id: 2}


def test_availability_follows_each_members_time_zone(db: Session) -> None:
    ws = make_workspace(db)
    tokyo = make_user(
        db, ws, "Aiko", expertise=["shipping"], timezone="Asia/Tokyo", working_hours=MON_FRI_9_17
    )
    ny = make_user(
        db, ws, "Nora", expertise=["shipping"], timezone="America/New_York", working_hours=MON_FRI_9_17
    )
    ch = make_channel(db, ws)
    # 01:00 UTC Monday = 10:00 in Tokyo, 20:00 Sunday in New York.
    at_tokyo = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert is_available(tokyo, at_tokyo) and not is_available(ny, at_tokyo)
    conv = _ask(db, ws, ch, topics=["shipping"], intent="question")
    assert route_conversation(db, conversation=conv, now=at_tokyo).assignee_id == tokyo.id
    # 15:00 UTC Monday = 00:00 Tuesday in Tokyo, 10:00 in New York.
    at_ny = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    conv = _ask(db, ws, ch, topics=["shipping"], intent="question")
    decision = route_conversation(db, conversation=conv, now=at_ny)
    assert (decision.assignee_id, decision.reason) == (ny.id, "expertise")


def test_nobody_at_work_goes_to_the_least_loaded_match(db: Session) -> None:
    ws = make_workspace(db)
    busy = make_user(db, ws, "Busy", expertise=["returns"], working_hours=MON_FRI_9_17)
    free = make_user(db, ws, "Free", expertise=["returns"], working_hours=MON_FRI_9_17)
    ch = make_channel(db, ws)
    for _ in range(2):
        make_conversation(db, ws, ch, [Msg("inbound", MONDAY)], assignee=busy)
    saturday = datetime(2026, 3, 7, 11, 0, tzinfo=UTC)
    conv = _ask(db, ws, ch, at=saturday, topics=["returns"], intent="question")
    decision = route_conversation(db, conversation=conv, now=saturday)
    assert decision.assignee_id == free.id
    assert not decision.available and "least-loaded" in decision.detail


def test_fallback_owner_when_nothing_matches(db: Session) -> None:
    ws = make_workspace(db)
    make_user(db, ws, "Ann", expertise=["billing"])
    admin = make_user(db, ws, "Root", role="admin")
    owner = make_user(db, ws, "Owner")
    ch = make_channel(db, ws)
    conv = _ask(db, ws, ch, topics=["weather"], intent="praise")
    decision = route_conversation(db, conversation=conv, now=MONDAY)
    assert (decision.assignee_id, decision.reason) == (admin.id, "fallback")  # no fallback owner: first admin
    ws.fallback_owner_id = owner.id
    conv = _ask(db, ws, ch, topics=["billing"], intent="praise")  # a topic, but not a question and no rule
    assert route_conversation(db, conversation=conv, now=MONDAY).assignee_id == owner.id
    assert conv.assignee_id == owner.id


def test_an_admin_outside_the_workspace_can_be_named_but_not_a_stranger(db: Session) -> None:
    """Admins work every workspace without a membership row: naming one as fallback owner or rule target
    works; a member of another workspace named by mistake is skipped."""
    from tending.auth.models import User, WorkspaceMembership

    ws, other = make_workspace(db), make_workspace(db, slug="other")
    make_user(db, ws, "Ann")
    stranger = make_user(db, other, "Stranger")
    boss = make_user(db, other, "Boss", role="admin")
    db.query(WorkspaceMembership).filter_by(user_id=boss.id).delete()
    db.flush()
    ch = make_channel(db, ws)
    ws.fallback_owner_id = boss.id
    conv = _ask(db, ws, ch, topics=["weather"], intent="praise")
    assert route_conversation(db, conversation=conv, now=MONDAY).assignee_id == boss.id
    create_rule(
        db,
        workspace_id=ws.id,
        rule_in=RoutingRuleCreate(name="x", match_topics=["x"], target_member_id=stranger.id),
    )
    conv = _ask(db, ws, ch, topics=["x"], intent="question")
    decision = route_conversation(db, conversation=conv, now=MONDAY)
    assert decision.assignee_id == boss.id and decision.reason == "fallback"
    assert db.get(User, stranger.id) is not None


def test_rule_order_member_target_and_empty_team_skipped(db: Session) -> None:
    ws = make_workspace(db)
    vip = make_user(db, ws, "Vip")
    fr = make_user(db, ws, "Fleur", expertise=["french"])
    ch, other = make_channel(db, ws), make_channel(db, ws, name="Other")
    create_rule(
        db,
        workspace_id=ws.id,
        rule_in=RoutingRuleCreate(
            name="Nobody speaks German", position=1, match_languages=["de"], target_expertise="german"
        ),
    )
    create_rule(
        db,
        workspace_id=ws.id,
        rule_in=RoutingRuleCreate(
            name="Angry on Other",
            position=5,
            match_channel_ids=[other.id],
            match_sentiments=["negative"],
            target_member_id=vip.id,
        ),
    )
    create_rule(
        db,
        workspace_id=ws.id,
        rule_in=RoutingRuleCreate(
            name="French or German", position=9, match_languages=["fr", "de"], target_expertise="french"
        ),
    )
    conv = _ask(db, ws, ch, language="de-AT")
    decision = route_conversation(db, conversation=conv, now=MONDAY)
    assert decision.assignee_id == fr.id and "French or German" in decision.detail
    conv = make_conversation(
        db, ws, other, [Msg("inbound", MONDAY, "bad", sentiment="negative", language="fr")]
    )
    assert route_conversation(db, conversation=conv, now=MONDAY).assignee_id == vip.id
    conv = make_conversation(
        db, ws, other, [Msg("inbound", MONDAY, "ok", sentiment="neutral", language="fr")]
    )
    assert route_conversation(db, conversation=conv, now=MONDAY).assignee_id == fr.id


def test_inactive_members_are_never_chosen_and_every_assignment_is_audited(db: Session) -> None:
    ws = make_workspace(db)
    make_user(db, ws, "Gone", expertise=["billing"], active=False)
    admin = make_user(db, ws, "Root", role="admin")
    ch = make_channel(db, ws)
    convs = [_ask(db, ws, ch, topics=["billing"], intent="question") for _ in range(3)]
    convs[2].assignee_id = admin.id
    decisions = route_unassigned(db, workspace_id=ws.id, now=MONDAY)
    assert [d.conversation_id for d in decisions] == [convs[0].id, convs[1].id]
    assert {d.assignee_id for d in decisions} == {admin.id}
    entries = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "conversation.route")))
    assert Counter(e.target_id for e in entries) == {convs[0].id: 1, convs[1].id: 1}
    assert entries[0].detail["to"] == admin.id and entries[0].detail["reason"] == "fallback"


def test_a_workspace_without_members_is_an_error_not_a_silent_drop(db: Session) -> None:
    ws = make_workspace(db)
    conv = _ask(db, ws, make_channel(db, ws))
    with pytest.raises(RoutingError, match="no active member"):
        route_conversation(db, conversation=conv, now=MONDAY)


def test_rule_needs_exactly_one_target() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        RoutingRuleCreate(name="x")
    with pytest.raises(ValueError, match="exactly one"):
        RoutingRuleCreate(name="x", target_member_id=1, target_expertise="billing")
