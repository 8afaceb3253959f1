"""Approving a pending reply is atomic: reviewers who approve the same reply at the same moment send it
once, with one audit entry; the others are told it is already sent. Real threads, each with its own
session or request, on SQLite and (with TENDING_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import login

from tending.audit.models import AuditEntry
from tending.auth.models import User
from tending.connectors.fake.connector import FakeConnector
from tending.inbox.approval import approve_reply, draft_reply
from tending.inbox.models import Conversation, PendingReply
from tending.inbox.service import InboxError

REVIEWERS = 4


@pytest.fixture()
def sends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every reply the connector sends; each send takes a moment, so racing approvals overlap."""
    sent: list[str] = []
    lock = threading.Lock()
    original = FakeConnector.reply

    def slow_reply(self: FakeConnector, *, parent_external_id: str, text: str) -> Any:
        with lock:
            sent.append(text)
        time.sleep(0.3)
        return original(self, parent_external_id=parent_external_id, text=text)

    monkeypatch.setattr(FakeConnector, "reply", slow_reply)
    return sent


@pytest.fixture()
def pending_id(factory: sessionmaker[Session], world, hostile) -> int:  # type: ignore[no-untyped-def]
    """A sensitive conversation with one reply drafted by the agency."""
    with factory() as s:
        conv = s.get(Conversation, hostile["conversation_id"])
        agency = s.get(User, world.agency.id)
        assert conv is not None and agency is not None
        conv.priority = "sensitive"
        pending = draft_reply(s, conversation=conv, author=agency, text="We are on it, sorry for the wait.")
        s.commit()
        return pending.id


def _approvals(factory: sessionmaker[Session], pending_id: int) -> tuple[int, str]:
    with factory() as s:
        audits = s.scalar(select(func.count()).where(AuditEntry.action == "reply.approve")) or 0
        status = s.scalar(select(PendingReply.status).where(PendingReply.id == pending_id)) or ""
    return audits, status


def test_parallel_approvals_in_the_service_send_once(
    factory: sessionmaker[Session], settings, world, pending_id: int, sends: list[str]
) -> None:  # type: ignore[no-untyped-def]
    # Every reviewer has read the reply as pending before any of them acts: the check alone cannot help.
    ready = threading.Barrier(REVIEWERS)

    def review(_: int) -> str:
        with factory() as s:
            pending = s.get(PendingReply, pending_id)
            approver = s.get(User, world.member.id)
            assert pending is not None and pending.status == "pending" and approver is not None
            ready.wait()
            try:
                approve_reply(s, settings=settings, pending=pending, approver=approver)
                s.commit()
                return "sent"
            except InboxError as exc:
                s.rollback()
                return str(exc)

    with ThreadPoolExecutor(REVIEWERS) as pool:
        outcomes = list(pool.map(review, range(REVIEWERS)))
    assert sorted(outcomes) == ["sent"] + ["this reply is already sent"] * (REVIEWERS - 1)
    assert len(sends) == 1
    assert _approvals(factory, pending_id) == (1, "sent")


@pytest.fixture()
def reviewers(app, world) -> Iterator[list[TestClient]]:  # type: ignore[no-untyped-def]
    """One logged-in brand member per browser tab, each with its own cookie jar."""
    clients = [TestClient(app, raise_server_exceptions=False) for _ in range(REVIEWERS)]
    for c in clients:
        c.__enter__()
        login(c, world.member.email)
    yield clients
    for c in clients:
        c.__exit__(None, None, None)


def test_parallel_approvals_over_the_api_send_once(
    factory: sessionmaker[Session], world, pending_id: int, sends: list[str], reviewers: list[TestClient]
) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/workspaces/{world.workspace.id}/pending-replies/{pending_id}/approve"
    start = threading.Barrier(REVIEWERS)

    def approve(client: TestClient) -> int:
        start.wait()
        return client.post(url).status_code

    with ThreadPoolExecutor(REVIEWERS) as pool:
        codes = sorted(pool.map(approve, reviewers))
    assert codes == [200] + [409] * (REVIEWERS - 1)
    assert len(sends) == 1
    assert _approvals(factory, pending_id) == (1, "sent")


def test_a_failed_send_leaves_the_reply_pending(
    factory: sessionmaker[Session], world, pending_id: int, reviewers: list[TestClient], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from tending.connectors.bases import ConnectorError

    def refuse(self: FakeConnector, *, parent_external_id: str, text: str) -> Any:
        raise ConnectorError("rate limited")

    monkeypatch.setattr(FakeConnector, "reply", refuse)
    url = f"/api/v1/workspaces/{world.workspace.id}/pending-replies/{pending_id}/approve"
    assert reviewers[0].post(url).status_code == 502
    assert _approvals(factory, pending_id) == (0, "pending")
