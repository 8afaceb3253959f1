from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import World, login

from tending.audit.models import AuditEntry
from tending.channel.models import Channel
from tending.config import Settings
from tending.connectors.bases import AuthorProfile, InboundItem
from tending.errors import Conflict, Forbidden
from tending.helpdesk import service
from tending.helpdesk.models import HelpdeskCase, HelpdeskConnection, HelpdeskIn, HelpdeskKind
from tending.helpdesk.sender import sign
from tending.inbox.models import Conversation
from tending.ingest.service import ingest_items

FIX = Path(__file__).parent / "fixtures"
ZENDESK = "https://lumen.zendesk.com"
ENDPOINT = "https://help.lumen.example/cases"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _conversation(factory: sessionmaker[Session], world: World) -> int:
    with factory() as s:
        channel = s.get(Channel, world.channel.id)
        assert channel is not None
        item = InboundItem(
            external_id="c-1",
            kind="comment",
            text="my cold brew made me sick, I want a refund",
            created_at=NOW - timedelta(hours=1),
            author=AuthorProfile(external_id="sam", handle="sam", name="Sam"),
            url="https://fake.example/c-1",
        )
        stats = ingest_items(s, channel=channel, items=[item])
        s.commit()
        return stats.conversation_ids.pop()


def _configure(factory: sessionmaker[Session], world: World, settings: Settings, **kw: str) -> None:
    data = {
        "kind": HelpdeskKind.zendesk,
        "base_url": ZENDESK,
        "account": "social@lumen.example",
        "api_token": "zd-token-123",
        "webhook_secret": "hook-secret",
        **kw,
    }
    with factory() as s:
        service.configure(
            s, workspace_id=world.workspace.id, data=HelpdeskIn(**data), settings=settings, actor=None
        )
        s.commit()


def test_zendesk_ticket_is_created_once_with_the_thread_and_its_triage(
    factory: sessionmaker[Session], world: World, settings: Settings
) -> None:
    conv_id = _conversation(factory, world)
    _configure(factory, world, settings)
    with factory() as s:
        stored = s.scalars(select(HelpdeskConnection)).one()
        assert "zd-token-123" not in (stored.credentials_encrypted or "")  # encrypted at rest
    with respx.mock(assert_all_called=True) as router:
        route = router.post(f"{ZENDESK}/api/v2/tickets.json").mock(
            return_value=httpx.Response(
                201, json=json.loads((FIX / "zendesk_ticket_created.json").read_text())
            )
        )
        with factory() as s:
            conv = s.get(Conversation, conv_id)
            assert conv is not None
            case = service.create_case(
                s, conversation=conv, actor=None, settings=settings, link="https://desk/t/1"
            )
            s.commit()
            again = service.create_case(
                s, conversation=conv, actor=None, settings=settings, link="https://desk/t/1"
            )
            assert again.id == case.id
        assert route.call_count == 1
        request = route.calls[0].request
        sent = orjson.loads(request.content)["ticket"]
        assert (
            request.headers["authorization"]
            == "Basic " + base64.b64encode(b"social@lumen.example/token:zd-token-123").decode()
        )
        assert request.headers["idempotency-key"] == f"tending-{world.workspace.id}-{conv_id}"
        assert "my cold brew made me sick" in sent["comment"]["body"]
        assert (
            "https://fake.example/c-1" in sent["comment"]["body"]
            and "https://desk/t/1" in sent["comment"]["body"]
        )
        assert sent["requester"]["name"] == "Sam" and "tending" in sent["tags"]
    assert (case.external_id, case.url, case.status) == ("35436", f"{ZENDESK}/agent/tickets/35436", "new")
    with factory() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry))]
        assert "helpdesk.case_created" in actions


def test_a_refusal_stores_no_case_and_says_why(
    factory: sessionmaker[Session], world: World, settings: Settings
) -> None:
    conv_id = _conversation(factory, world)
    _configure(factory, world, settings)
    with respx.mock() as router:
        router.post(f"{ZENDESK}/api/v2/tickets.json").mock(
            return_value=httpx.Response(401, json={"error": "Couldn't authenticate you"})
        )
        with factory() as s:
            conv = s.get(Conversation, conv_id)
            assert conv is not None
            with pytest.raises(Conflict, match="refused the credentials"):
                service.create_case(s, conversation=conv, actor=None, settings=settings, link="x")
            assert s.scalar(select(HelpdeskCase)) is None


def test_generic_endpoint_gets_signed_json(
    factory: sessionmaker[Session], world: World, settings: Settings
) -> None:
    conv_id = _conversation(factory, world)
    _configure(
        factory, world, settings, kind=HelpdeskKind.webhook, base_url=ENDPOINT, signing_secret="sig-key"
    )
    with respx.mock() as router:
        route = router.post(ENDPOINT).mock(
            return_value=httpx.Response(200, json={"id": "CASE-9", "url": "https://help.lumen.example/c/9"})
        )
        with factory() as s:
            conv = s.get(Conversation, conv_id)
            assert conv is not None
            case = service.create_case(s, conversation=conv, actor=None, settings=settings, link="x")
        request = route.calls[0].request
        stamp = request.headers["x-tending-timestamp"]
        assert request.headers["x-tending-signature"] == sign("sig-key", stamp, request.content)
        assert orjson.loads(request.content)["messages"][0]["author"] == "Sam"
    assert (case.external_id, case.url) == ("CASE-9", "https://help.lumen.example/c/9")


def _zendesk_headers(secret: str, body: bytes, at: datetime) -> dict[str, str]:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "Content-Type": "application/json",
    }


def test_status_webhook_checks_zendesk_signature(
    factory: sessionmaker[Session], world: World, settings: Settings, client: TestClient
) -> None:
    conv_id = _conversation(factory, world)
    _configure(factory, world, settings)
    with factory() as s:
        s.add(
            HelpdeskCase(
                workspace_id=world.workspace.id,
                conversation_id=conv_id,
                kind="zendesk",
                external_id="35436",
                status="new",
            )
        )
        s.commit()
    body = b'{"ticket_id": "35436", "status": "Solved"}'
    now = datetime.now(UTC)
    url = f"/api/v1/helpdesk/{world.workspace.id}/status"
    forged = client.post(url, content=body, headers=_zendesk_headers("wrong-secret", body, now))
    assert forged.status_code == 403
    stale = client.post(
        url, content=body, headers=_zendesk_headers("hook-secret", body, now - timedelta(hours=1))
    )
    assert stale.status_code == 403
    ok = client.post(url, content=body, headers=_zendesk_headers("hook-secret", body, now))
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "solved"
    with factory() as s:
        case = s.scalars(select(HelpdeskCase)).one()
        assert case.status == "solved"


def test_status_report_for_another_workspace_case_is_not_found(
    session: Session, world: World, settings: Settings
) -> None:
    service.configure(
        session,
        workspace_id=world.workspace.id,
        data=HelpdeskIn(kind=HelpdeskKind.webhook, base_url=ENDPOINT, signing_secret="s", webhook_secret="w"),
        settings=settings,
        actor=None,
    )
    body = b'{"id": "nope", "status": "open"}'
    stamp = str(int(NOW.timestamp()))
    headers = {"X-Tending-Timestamp": stamp, "X-Tending-Signature": sign("w", stamp, body)}
    from tending.errors import NotFound

    with pytest.raises(NotFound):
        service.record_status(
            session, workspace_id=world.workspace.id, headers=headers, body=body, settings=settings, now=NOW
        )
    with pytest.raises(Forbidden):
        service.record_status(
            session,
            workspace_id=world.workspace.id,
            headers=headers,
            body=body + b" ",
            settings=settings,
            now=NOW,
        )


def test_thread_panel_creates_a_case_through_the_page(
    factory: sessionmaker[Session], world: World, settings: Settings, client: TestClient
) -> None:
    conv_id = _conversation(factory, world)
    login(client, "mia@acme.test")
    panel = client.get(f"/w/acme/inbox/{conv_id}/case")
    assert panel.status_code == 200 and "No helpdesk is connected" in panel.text
    _configure(factory, world, settings)
    with respx.mock() as router:
        router.post(f"{ZENDESK}/api/v2/tickets.json").mock(
            return_value=httpx.Response(
                201, json=json.loads((FIX / "zendesk_ticket_created.json").read_text())
            )
        )
        made = client.post(f"/w/acme/inbox/{conv_id}/case")
    assert made.status_code == 200 and "#35436" in made.text
    outsider = client.get(f"/api/v1/workspaces/{world.other_workspace.id}/conversations/{conv_id}/case")
    assert outsider.status_code == 404
    read = client.get(f"/api/v1/workspaces/{world.workspace.id}/conversations/{conv_id}/case")
    assert read.json()["external_id"] == "35436"
