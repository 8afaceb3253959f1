"""Sending an alert to the workspace's destinations: JSON webhook, chat webhook, or e-mail.

Each destination is tried independently; a failure is reported back (and stored on the alert by the
caller) instead of stopping the others, so one dead webhook never silences the rest.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.config import Settings
from tending.connectors import http as outbound
from tending.mail import send_mail
from tending.sla.models import AlertDestination, DestinationKind
from tending.sla.targets import destination_target

HTTP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Notice:
    """What an alert says, in a form every destination can render."""

    subject: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    destination_id: int
    kind: str
    ok: bool
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"destination_id": self.destination_id, "kind": self.kind, "ok": self.ok, "error": self.error}


def send_webhook(client: httpx.Client, url: str, notice: Notice) -> None:
    response = client.post(url, json={"subject": notice.subject, "text": notice.text, **notice.payload})
    response.raise_for_status()


def send_chat(client: httpx.Client, url: str, notice: Notice) -> None:
    """Slack and Mattermost incoming webhooks both accept `{"text": ...}`."""
    response = client.post(url, json={"text": f"*{notice.subject}*\n{notice.text}"})
    response.raise_for_status()


def active_destinations(session: Session, *, workspace_id: int) -> list[AlertDestination]:
    return list(
        session.scalars(
            select(AlertDestination)
            .where(AlertDestination.workspace_id == workspace_id, AlertDestination.active.is_(True))
            .order_by(AlertDestination.id)
        )
    )


def deliver(
    session: Session,
    *,
    workspace_id: int,
    notice: Notice,
    settings: Settings,
    http_client: httpx.Client | None = None,
    destinations: list[AlertDestination] | None = None,
) -> list[Delivery]:
    """Send to every active destination of the workspace (or those given, already loaded); returns one
    result per destination."""
    if destinations is None:
        destinations = active_destinations(session, workspace_id=workspace_id)
    if not destinations:
        return []
    own_client = http_client is None
    # Webhook and chat URLs are typed by people: sent through the guarded client (see connectors.http).
    client = http_client or outbound.client(
        outbound.OutboundPolicy.from_settings(settings), timeout=HTTP_TIMEOUT_S
    )
    results: list[Delivery] = []
    try:
        for dest in destinations:
            try:
                target = destination_target(settings, dest)
                if dest.kind == DestinationKind.webhook.value:
                    send_webhook(client, target, notice)
                elif dest.kind == DestinationKind.chat.value:
                    send_chat(client, target, notice)
                elif dest.kind == DestinationKind.email.value:
                    send_mail(settings, to=[target], subject=notice.subject, text=notice.text)
                else:
                    raise RuntimeError(f"unknown destination kind {dest.kind!r}")
                results.append(Delivery(dest.id, dest.kind, True))
            except httpx.TransportError:  # one message: it must not tell a closed port from a refused address
                results.append(Delivery(dest.id, dest.kind, False, outbound.UNREACHABLE))
            except (httpx.HTTPError, smtplib.SMTPException, OSError, RuntimeError) as exc:  # incl. unreadable
                results.append(Delivery(dest.id, dest.kind, False, f"{type(exc).__name__}: {exc}"))
    finally:
        if own_client:
            client.close()
    return results
