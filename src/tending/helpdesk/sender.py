"""Sending a case to the helpdesk and reading its answer: Zendesk's Tickets API or signed JSON.

Zendesk: `POST {base}/api/v2/tickets.json` with `{"ticket": {...}}`, basic auth `{email}/token:{token}`,
and an `Idempotency-Key` header, so a retried request returns the ticket the first one created; the
answer is `201 {"ticket": {"id": ..., "status": "new", ...}}` and the agent's link is
`{base}/agent/tickets/{id}`.

Any other helpdesk: `POST {endpoint}` with the case as JSON, signed with the shared secret:
`X-Tending-Timestamp: <unix seconds>` and `X-Tending-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<body>">`, the same `Idempotency-Key`; the answer is `{"id": ..., "url": ..., "status": ...}`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from tending.connectors.http import DestinationRefused, OutboundPolicy
from tending.connectors.http import client as guarded_client
from tending.helpdesk.models import HelpdeskKind

TIMEOUT_S = 15.0


class SendFailed(RuntimeError):
    """The helpdesk did not take the case; the message says why in a person's words."""


@dataclass(frozen=True, slots=True)
class CaseCreated:
    external_id: str
    url: str | None
    status: str


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`: the signature of generic endpoints."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def zendesk_ticket(case: dict[str, Any]) -> dict[str, Any]:
    """The case in the shape of Zendesk's Tickets API."""
    lines = [
        f"{m['author']} ({m['at']}): {m['text']}" + (f"\n{m['url']}" if m.get("url") else "")
        for m in case["messages"]
    ]
    triage = case["triage"]
    body = "\n\n".join(lines) + (
        f"\n\nFrom tending: {case['link']}\nChannel: {case['channel']}\n"
        f"Triage: {triage['sentiment'] or 'untriaged'}, {triage['intent'] or 'no intent'}, "
        f"priority {triage['priority']}"
    )
    ticket: dict[str, Any] = {
        "subject": case["subject"],
        "comment": {"body": body, "public": False},
        "requester": {
            "name": case["requester"]["name"] or case["requester"]["handle"] or "Social media user"
        },
        "tags": ["tending", f"network_{case['network']}"],
        "external_id": case["key"],
        "priority": {"sensitive": "urgent", "high": "high", "low": "low"}.get(triage["priority"], "normal"),
    }
    return {"ticket": ticket}


def _post(
    policy: OutboundPolicy,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    auth: Any,
    http: httpx.Client | None,
) -> httpx.Response:
    own = http is None
    session = http or guarded_client(policy, timeout=TIMEOUT_S)
    try:
        return session.post(url, content=content, headers=headers, auth=auth)
    except (DestinationRefused, httpx.ConnectError):
        raise SendFailed(
            "the helpdesk is unreachable (or its address is not one this server may call)"
        ) from None
    except httpx.HTTPError as exc:
        raise SendFailed(f"the helpdesk did not answer ({type(exc).__name__})") from None
    finally:
        if own:
            session.close()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise SendFailed(
            f"the helpdesk answered {response.status_code} with something that is not JSON"
        ) from None
    if not isinstance(data, dict):
        raise SendFailed("the helpdesk's answer is not a JSON object")
    return data


def _refusal(response: httpx.Response) -> SendFailed:
    status = response.status_code
    if status in (401, 403):
        return SendFailed(f"the helpdesk refused the credentials ({status}); check the helpdesk settings")
    if status == 429:
        after = response.headers.get("retry-after", "")
        return SendFailed(
            "the helpdesk asks to slow down" + (f"; try again in {after} s" if after.isdigit() else "")
        )
    return SendFailed(f"the helpdesk refused the case ({status})")


def send_case(
    *,
    kind: HelpdeskKind,
    base_url: str,
    account: str,
    secrets: dict[str, str],
    case: dict[str, Any],
    policy: OutboundPolicy,
    http: httpx.Client | None = None,
) -> CaseCreated:
    headers = {"Content-Type": "application/json", "Idempotency-Key": case["key"]}
    if kind == HelpdeskKind.zendesk:
        base = base_url.rstrip("/")
        content = orjson.dumps(zendesk_ticket(case))
        auth = httpx.BasicAuth(f"{account}/token", secrets.get("api_token", ""))
        response = _post(
            policy, f"{base}/api/v2/tickets.json", content=content, headers=headers, auth=auth, http=http
        )
        if response.status_code not in (200, 201):
            raise _refusal(response)
        ticket = _json(response).get("ticket")
        if not isinstance(ticket, dict) or "id" not in ticket:
            raise SendFailed("Zendesk's answer has no ticket id")
        ticket_id = str(ticket["id"])
        return CaseCreated(ticket_id, f"{base}/agent/tickets/{ticket_id}", str(ticket.get("status") or "new"))
    content = orjson.dumps(case)
    stamp = str(int(time.time()))
    headers["X-Tending-Timestamp"] = stamp
    headers["X-Tending-Signature"] = sign(secrets.get("signing_secret", ""), stamp, content)
    response = _post(policy, base_url, content=content, headers=headers, auth=None, http=http)
    if not 200 <= response.status_code < 300:
        raise _refusal(response)
    data = _json(response)
    if data.get("id") in (None, ""):
        raise SendFailed("the helpdesk's answer has no case id")
    url = data.get("url")
    return CaseCreated(str(data["id"]), str(url) if url else None, str(data.get("status") or "new"))
