from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.desk_fixtures import Msg, make_channel, make_conversation, make_user, make_workspace, message_of
from tests.fakes import SmtpRecorder

from tending.audit.models import AuditEntry
from tending.config import Settings
from tending.inbox.models import ConversationWatcher
from tending.moderation.service import hide_message
from tending.sla.business_hours import MON_FRI_9_17
from tending.sla.models import AlertDestination, AlertDestinationCreate, SlaAlert, SlaLevel, SlaPolicyCreate
from tending.sla.service import (
    MAX_NOTICES_PER_RUN,
    check_sla,
    create_policy,
    sla_for_conversation,
    sla_status,
)

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOOK = "https://hooks.example.com/desk"
CHAT = "https://chat.example.com/hooks/abc"
SETTINGS = Settings(smtp_url="smtp://alerts:s3cret@mail.example.com:2525", mail_from="desk@example.com")


def _world(
    db: Session, *, resolution: float | None = None, first_inbound: datetime = MONDAY_9
) -> tuple[Any, Any, Any, Any, Any]:
    ws = make_workspace(db)
    ann = make_user(db, ws, "Ann")
    lead = make_user(db, ws, "Lead", role="admin")
    policy = create_policy(
        db,
        workspace_id=ws.id,
        policy_in=SlaPolicyCreate(
            name="Standard",
            first_response_hours=4,
            resolution_hours=resolution,
            business_hours=MON_FRI_9_17,
            timezone="UTC",
            warn_fraction=0.75,
            escalation_member_id=lead.id,
        ),
    )
    ch = make_channel(db, ws)
    conv = make_conversation(db, ws, ch, [Msg("inbound", first_inbound, "where is my order?")], assignee=ann)
    return ws, ann, lead, conv, policy


def test_status_uses_business_hours_but_reports_wall_clock(db: Session) -> None:
    ws, _ann, _lead, _conv, policy = _world(db)
    ch = make_channel(db, ws, name="Other")
    saturday = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)
    conv = make_conversation(
        db,
        ws,
        ch,
        [Msg("inbound", saturday, "hello?"), Msg("outbound", datetime(2026, 3, 9, 9, 5, tzinfo=UTC))],
    )
    status = sla_status(conversation=conv, policy=policy, now=datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    first = status.metrics[0]
    assert first.done
    assert first.wall_hours == pytest.approx(55 + 5 / 60)
    assert first.business_hours == pytest.approx(5 / 60)
    assert first.level is SlaLevel.ok


def test_warning_then_breach_raised_once_each_with_escalation(db: Session, fake_smtp: SmtpRecorder) -> None:
    ws, ann, lead, conv, _policy = _world(db)
    db.add_all(
        [
            AlertDestination(workspace_id=ws.id, kind="webhook", target=HOOK),
            AlertDestination(workspace_id=ws.id, kind="chat", target=CHAT),
            AlertDestination(workspace_id=ws.id, kind="email", target="oncall@example.com"),
            AlertDestination(
                workspace_id=ws.id, kind="webhook", target="https://off.example.com", active=False
            ),
        ]
    )
    db.flush()
    with respx.mock(assert_all_called=False) as mock, httpx.Client() as client:
        hook = mock.post(HOOK).mock(return_value=httpx.Response(200))
        chat = mock.post(CHAT).mock(return_value=httpx.Response(200))
        off = mock.post("https://off.example.com").mock(return_value=httpx.Response(200))

        def run(at: datetime) -> list[Any]:
            return check_sla(db, workspace_id=ws.id, now=at, settings=SETTINGS, http_client=client)

        assert run(MONDAY_9 + timedelta(hours=2, minutes=59)) == []
        warned = run(MONDAY_9 + timedelta(hours=3))
        assert [(a.level, a.escalated_to_id) for a in warned] == [(SlaLevel.warning, None)]
        assert run(MONDAY_9 + timedelta(hours=3, minutes=30)) == []
        assert conv.assignee_id == ann.id

        breached = run(MONDAY_9 + timedelta(hours=4, minutes=1))
        assert [(a.level, a.escalated_to_id) for a in breached] == [(SlaLevel.breached, lead.id)]
        # Escalation informs, it does not take: the owner keeps the work, the lead watches.
        assert conv.assignee_id == ann.id
        assert [(w.user_id, w.reason) for w in db.scalars(select(ConversationWatcher))] == [
            (lead.id, "escalation")
        ]
        assert run(MONDAY_9 + timedelta(hours=6)) == []
        assert run(MONDAY_9 + timedelta(days=3)) == []

        assert hook.call_count == 2 and chat.call_count == 2 and off.call_count == 0
        payload = json.loads(hook.calls[1].request.content)
        assert payload["event"] == "sla.breached"
        assert payload["conversation_id"] == conv.id
        assert payload["metric"] == "first_response"
        assert payload["target_hours"] == 4
        assert payload["business_hours"] == pytest.approx(4 + 1 / 60, abs=1e-3)
        assert payload["escalated_to_id"] == lead.id
        assert payload["assignee_id"] == ann.id
        assert payload["due_at"] == "2026-03-02T13:00:00+00:00"
        chat_body = json.loads(chat.calls[0].request.content)
        assert set(chat_body) == {"text"}
        assert "SLA warning" in chat_body["text"]

    # The on-call address gets both alerts; the escalation member gets their own copy of the breach.
    assert [m["To"] for m in fake_smtp.sent] == ["oncall@example.com", "oncall@example.com", lead.email]
    assert fake_smtp.sent[1]["Subject"].startswith("SLA breached")
    assert fake_smtp.sent[1]["From"] == "desk@example.com"
    assert fake_smtp.logins[0] == ("alerts", "s3cret")
    assert fake_smtp.opened[0] == ("mail.example.com", 2525)

    alerts = list(db.scalars(select(SlaAlert).order_by(SlaAlert.id)))
    assert [(a.level, a.metric) for a in alerts] == [
        ("warning", "first_response"),
        ("breached", "first_response"),
    ]
    assert all(d["ok"] for a in alerts for d in a.deliveries)
    actions = [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["sla.warning", "conversation.escalate", "sla.breached"]


def test_weekend_does_not_count_toward_the_target(db: Session) -> None:
    ws, _ann, _lead, conv, _ = _world(
        db, first_inbound=datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    )  # Friday 16:00
    # Monday 10:30: 2.5 business hours of 4 (66 h on the clock); the 3 h warning mark is Monday 11:00.
    assert (
        check_sla(db, workspace_id=ws.id, now=datetime(2026, 3, 9, 10, 30, tzinfo=UTC), settings=SETTINGS)
        == []
    )
    raised = check_sla(db, workspace_id=ws.id, now=datetime(2026, 3, 9, 11, 0, tzinfo=UTC), settings=SETTINGS)
    assert [(a.conversation_id, a.level) for a in raised] == [(conv.id, SlaLevel.warning)]


def test_late_check_raises_only_the_breach_and_answered_conversations_stop(db: Session) -> None:
    ws, ann, lead, conv, _ = _world(db, resolution=16)
    raised = check_sla(db, workspace_id=ws.id, now=MONDAY_9 + timedelta(hours=5), settings=SETTINGS)
    assert [(a.metric.value, a.level) for a in raised] == [("first_response", SlaLevel.breached)]
    assert raised[0].escalated_to_id == lead.id
    # Resolution: 16 business hours = Tuesday 17:00; warning at 12 h = Tuesday 13:00.
    raised = check_sla(db, workspace_id=ws.id, now=datetime(2026, 3, 3, 13, 0, tzinfo=UTC), settings=SETTINGS)
    assert [(a.metric.value, a.level) for a in raised] == [("resolution", SlaLevel.warning)]
    # The second breach tells the lead again; nobody took the conversation from its owner.
    raised = check_sla(db, workspace_id=ws.id, now=datetime(2026, 3, 3, 17, 1, tzinfo=UTC), settings=SETTINGS)
    assert [(a.metric.value, a.level, a.escalated_to_id) for a in raised] == [
        ("resolution", SlaLevel.breached, lead.id)
    ]
    assert conv.assignee_id == ann.id
    assert len(list(db.scalars(select(ConversationWatcher)))) == 1


def test_answered_in_time_raises_nothing(db: Session) -> None:
    ws, _ann, _lead, conv, _ = _world(db)
    reply = make_conversation(
        db,
        ws,
        make_channel(db, ws, name="Quick"),
        [Msg("inbound", MONDAY_9), Msg("outbound", MONDAY_9 + timedelta(hours=2))],
    )
    raised = check_sla(db, workspace_id=ws.id, now=MONDAY_9 + timedelta(days=2), settings=SETTINGS)
    assert {a.conversation_id for a in raised} == {conv.id}  # only the unanswered one
    assert reply.id not in {a.conversation_id for a in raised}


def test_hidden_spam_raises_nothing(db: Session) -> None:
    ws, ann, _lead, conv, _ = _world(db)
    spam = make_conversation(db, ws, make_channel(db, ws, name="Spam"), [Msg("inbound", MONDAY_9, "buy now")])
    hide_message(db, message_id=message_of(db, spam).id, actor=ann, reason="bot", category="spam")
    raised = check_sla(db, workspace_id=ws.id, now=MONDAY_9 + timedelta(days=2), settings=SETTINGS)
    assert [a.conversation_id for a in raised] == [conv.id]


def test_failed_destination_is_recorded_and_others_still_sent(db: Session) -> None:
    ws, *_ = _world(db)
    db.add_all(
        [
            AlertDestination(workspace_id=ws.id, kind="webhook", target=HOOK),
            AlertDestination(workspace_id=ws.id, kind="chat", target=CHAT),
            AlertDestination(workspace_id=ws.id, kind="email", target="oncall@example.com"),
        ]
    )
    db.flush()
    with respx.mock() as mock, httpx.Client() as client:
        mock.post(HOOK).mock(return_value=httpx.Response(503))
        chat = mock.post(CHAT).mock(return_value=httpx.Response(200))
        check_sla(
            db, workspace_id=ws.id, now=MONDAY_9 + timedelta(hours=3), settings=Settings(), http_client=client
        )
    assert chat.called
    alert = db.scalars(select(SlaAlert)).one()
    outcome = {d["kind"]: (d["ok"], d["error"]) for d in alert.deliveries}
    assert outcome["chat"] == (True, None)
    assert outcome["webhook"][0] is False and "503" in outcome["webhook"][1]
    assert outcome["email"][0] is False and "smtp_url is not set" in outcome["email"][1]


def test_policy_per_priority_wins_over_the_default(db: Session) -> None:
    ws, *_ = _world(db)
    urgent = create_policy(
        db,
        workspace_id=ws.id,
        policy_in=SlaPolicyCreate(name="Urgent", priority="high", first_response_hours=1),
    )
    ch = make_channel(db, ws, name="Urgent")
    make_conversation(db, ws, ch, [Msg("inbound", MONDAY_9, "help!")], priority="high")
    raised = check_sla(db, workspace_id=ws.id, now=MONDAY_9 + timedelta(minutes=50), settings=SETTINGS)
    assert len(raised) == 1
    alert = db.get(SlaAlert, raised[0].alert_id)
    assert alert is not None and alert.policy_id == urgent.id and alert.level == "warning"


def test_destination_targets_are_validated() -> None:
    with pytest.raises(ValueError, match="needs an http"):
        AlertDestinationCreate(kind="webhook", target="ops@example.com")
    with pytest.raises(ValueError, match="e-mail destination"):
        AlertDestinationCreate(kind="email", target="https://example.com")
    with pytest.raises(ValueError, match=r"business_hours\.mon"):
        SlaPolicyCreate(name="x", first_response_hours=1, business_hours={"mon": [["10:00", "09:00"]]})


def test_status_for_a_conversation_finds_its_policy(db: Session) -> None:
    _ws, _ann, _lead, conv, policy = _world(db)
    status = sla_for_conversation(db, conversation=conv, now=MONDAY_9 + timedelta(hours=3, minutes=30))
    assert status is not None and status.policy_id == policy.id and status.level is SlaLevel.warning
    assert status.metrics[0].due_at == MONDAY_9 + timedelta(hours=4)
    assert status.metrics[0].warn_at == MONDAY_9 + timedelta(hours=3)
    policy.active = False
    db.flush()
    assert sla_for_conversation(db, conversation=conv, now=MONDAY_9) is None


def test_a_backlog_is_notified_with_a_summary_not_a_flood(db: Session) -> None:
    ws, *_ = _world(db)
    ch = make_channel(db, ws, name="Backlog")
    for i in range(MAX_NOTICES_PER_RUN + 2):
        make_conversation(db, ws, ch, [Msg("inbound", MONDAY_9 + timedelta(minutes=i))])
    db.add(AlertDestination(workspace_id=ws.id, kind="webhook", target=HOOK))
    db.flush()
    with respx.mock() as mock, httpx.Client() as client:
        hook = mock.post(HOOK).mock(return_value=httpx.Response(200))
        raised = check_sla(
            db, workspace_id=ws.id, now=MONDAY_9 + timedelta(days=1), settings=SETTINGS, http_client=client
        )
    assert len(raised) == MAX_NOTICES_PER_RUN + 3  # every alert is recorded
    assert hook.call_count == MAX_NOTICES_PER_RUN + 1
    summary = json.loads(hook.calls[-1].request.content)
    assert summary["event"] == "sla.summary" and summary["count"] == 3 and summary["breached"] == 3
    alerts = list(db.scalars(select(SlaAlert).order_by(SlaAlert.id)))
    assert sorted(summary["conversation_ids"]) == sorted(a.conversation_id for a in alerts[-3:])
    assert all(d.get("summary") for a in alerts[-3:] for d in a.deliveries)
    assert not any(d.get("summary") for a in alerts[:-3] for d in a.deliveries)
