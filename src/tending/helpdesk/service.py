"""Handing a conversation to the helpdesk: the workspace's helpdesk settings, "create a case", and the
status the helpdesk reports back (a signed webhook)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.auth.models import User
from tending.channel.crypto import decrypt_credentials, encrypt_credentials
from tending.channel.models import Channel
from tending.config import Settings
from tending.connectors.http import OutboundPolicy
from tending.errors import Conflict, Forbidden, NotFound, Refused
from tending.helpdesk.models import HelpdeskCase, HelpdeskConnection, HelpdeskIn, HelpdeskKind
from tending.helpdesk.sender import SendFailed, send_case, sign
from tending.inbox.models import Conversation, Direction
from tending.inbox.service import thread_messages

# A status report signed longer ago than this is refused: a captured request cannot be replayed later.
REPORT_MAX_AGE = timedelta(minutes=10)
MAX_MESSAGES = 50  # the newest messages of a long thread; the link leads to the rest


def get_connection(session: Session, *, workspace_id: int) -> HelpdeskConnection | None:
    return session.scalar(select(HelpdeskConnection).where(HelpdeskConnection.workspace_id == workspace_id))


def configure(
    session: Session, *, workspace_id: int, data: HelpdeskIn, settings: Settings, actor: User | None
) -> HelpdeskConnection:
    """Set (or replace) the workspace's helpdesk; secrets left empty keep their stored value."""
    connection = get_connection(session, workspace_id=workspace_id)
    stored = decrypt_credentials(settings, connection.credentials_encrypted) if connection else {}
    secrets = {
        "api_token": data.api_token or stored.get("api_token", ""),
        "signing_secret": data.signing_secret or stored.get("signing_secret", ""),
        "webhook_secret": data.webhook_secret or stored.get("webhook_secret", ""),
    }
    if data.kind == HelpdeskKind.zendesk and (not data.account or not secrets["api_token"]):
        raise Refused("Zendesk needs the agent's e-mail (account) and an API token")
    if data.kind == HelpdeskKind.webhook and not secrets["signing_secret"]:
        raise Refused(
            "an HTTP endpoint needs a signing secret, so it can tell tending's cases from forgeries"
        )
    if not data.base_url.startswith("https://"):
        raise Refused("the helpdesk address must start with https://")
    if connection is None:
        connection = HelpdeskConnection(workspace_id=workspace_id)
        session.add(connection)
    connection.kind = data.kind.value
    connection.base_url = data.base_url.rstrip("/")
    connection.account = data.account
    connection.credentials_encrypted = encrypt_credentials(settings, secrets)
    session.flush()
    record(
        session,
        workspace_id=workspace_id,
        actor_id=actor.id if actor else None,
        action="helpdesk.configured",
        target_type="helpdesk_connection",
        target_id=connection.id,
        detail={"kind": connection.kind, "base_url": connection.base_url},
    )
    return connection


def case_for(session: Session, *, conversation_id: int) -> HelpdeskCase | None:
    return session.scalar(select(HelpdeskCase).where(HelpdeskCase.conversation_id == conversation_id))


def case_payload(session: Session, *, conversation: Conversation, link: str) -> dict[str, Any]:
    """What the helpdesk receives: the thread's text, authors and links, and the desk's triage."""
    channel = session.get(Channel, conversation.channel_id)
    messages = thread_messages(session, conversation=conversation)[-MAX_MESSAGES:]
    inbound = [m for m in messages if m.direction == Direction.inbound.value]
    first = inbound[0] if inbound else (messages[0] if messages else None)
    last = inbound[-1] if inbound else None
    requester = {
        "name": (first.author_name or "") if first else "",
        "handle": (first.author_handle or "") if first else "",
    }
    subject_text = (first.text if first else conversation.preview) or "Social media conversation"
    return {
        "key": f"tending-{conversation.workspace_id}-{conversation.id}",
        "subject": f"{channel.name if channel else 'Social'}: {subject_text[:80]}",
        "network": channel.network if channel else "",
        "channel": channel.name if channel else "",
        "link": link,
        "requester": requester,
        "triage": {
            "priority": conversation.priority,
            "sentiment": last.sentiment if last else None,
            "intent": last.intent if last else None,
            "urgency": last.urgency if last else None,
        },
        "messages": [
            {
                "author": m.author_name
                or m.author_handle
                or ("brand" if m.direction == "outbound" else "someone"),
                "direction": m.direction,
                "text": m.text,
                "url": m.url,
                "at": m.created_at.isoformat(),
            }
            for m in messages
        ],
    }


def create_case(
    session: Session,
    *,
    conversation: Conversation,
    actor: User | None,
    settings: Settings,
    link: str,
    http: httpx.Client | None = None,
) -> HelpdeskCase:
    """Send the conversation to the helpdesk and keep the case's id and link on it.

    One case per conversation: a second request finds the first. The idempotency key names the
    conversation, so a request retried after a lost answer gets the case the first one opened."""
    existing = case_for(session, conversation_id=conversation.id)
    if existing is not None and existing.external_id:
        return existing
    connection = get_connection(session, workspace_id=conversation.workspace_id)
    if connection is None:
        raise Conflict("no helpdesk is set up for this workspace; an admin sets one in Settings")
    secrets = decrypt_credentials(settings, connection.credentials_encrypted)
    payload = case_payload(session, conversation=conversation, link=link)
    try:
        created = send_case(
            kind=HelpdeskKind(connection.kind),
            base_url=connection.base_url,
            account=connection.account,
            secrets=secrets,
            case=payload,
            policy=OutboundPolicy.from_settings(settings),
            http=http,
        )
    except SendFailed as exc:
        raise Conflict(f"no case was created: {exc}") from None
    case = existing or HelpdeskCase(workspace_id=conversation.workspace_id, conversation_id=conversation.id)
    case.kind = connection.kind
    case.external_id = created.external_id
    case.url = created.url
    case.status = created.status
    case.status_at = datetime.now(UTC)
    case.created_by_id = actor.id if actor else None
    session.add(case)
    session.flush()
    record(
        session,
        workspace_id=conversation.workspace_id,
        actor_id=actor.id if actor else None,
        action="helpdesk.case_created",
        target_type="conversation",
        target_id=conversation.id,
        detail={"case": created.external_id, "kind": connection.kind},
    )
    return case


def _signature_ok(
    kind: HelpdeskKind, secret: str, headers: dict[str, str], body: bytes, now: datetime
) -> bool:
    if kind == HelpdeskKind.zendesk:
        sent = headers.get("x-zendesk-webhook-signature", "")
        stamp = headers.get("x-zendesk-webhook-signature-timestamp", "")
        try:
            at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return False
        digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
        expected = base64.b64encode(digest).decode()
    else:
        sent = headers.get("x-tending-signature", "")
        stamp = headers.get("x-tending-timestamp", "")
        if not stamp.isdigit():
            return False
        at = datetime.fromtimestamp(int(stamp), tz=UTC)
        expected = sign(secret, stamp, body)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if abs(now - at) > REPORT_MAX_AGE:
        return False
    return bool(secret) and hmac.compare_digest(sent, expected)


def record_status(
    session: Session,
    *,
    workspace_id: int,
    headers: dict[str, str],
    body: bytes,
    settings: Settings,
    now: datetime | None = None,
) -> HelpdeskCase:
    """A status report from the helpdesk: `{"id" or "ticket_id": ..., "status": ...}`, signed with the
    webhook secret (Zendesk's own signature for Zendesk, tending's scheme for other helpdesks)."""
    connection = get_connection(session, workspace_id=workspace_id)
    if connection is None:
        raise NotFound("no helpdesk is set up here")
    secret = decrypt_credentials(settings, connection.credentials_encrypted).get("webhook_secret", "")
    lowered = {k.lower(): v for k, v in headers.items()}
    if not _signature_ok(HelpdeskKind(connection.kind), secret, lowered, body, now or datetime.now(UTC)):
        raise Forbidden("the report's signature is missing, wrong or too old")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Refused("the report is not JSON") from None
    if not isinstance(data, dict):
        raise Refused("the report is not a JSON object")
    case_id = str(data.get("ticket_id") or data.get("id") or "")
    status = str(data.get("status") or "").strip().lower()[:40]
    if not case_id or not status:
        raise Refused("the report needs the case id (`ticket_id` or `id`) and its `status`")
    case = session.scalar(
        select(HelpdeskCase).where(
            HelpdeskCase.workspace_id == workspace_id, HelpdeskCase.external_id == case_id
        )
    )
    if case is None:
        raise NotFound("no case with this id was created from tending")
    previous = case.status
    case.status = status
    case.status_at = now or datetime.now(UTC)
    record(
        session,
        workspace_id=workspace_id,
        actor_id=None,
        action="helpdesk.case_status",
        target_type="conversation",
        target_id=case.conversation_id,
        detail={"case": case_id, "from": previous, "to": status},
    )
    session.flush()
    return case
