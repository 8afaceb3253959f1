"""Meta webhooks: the subscription handshake, the signature check, and storing what a notification says.

A notification is checked and queued while Meta waits (it retries what is not answered within seconds);
`deliver_meta` does the work in a task. It stores through `ingest_items`, the path polling uses, so an
event and the later poll of the same comment or message keep one message. The channel's cursor is not
touched: polling goes on as the safety net and catches up on whatever a notification missed.
"""

from __future__ import annotations

import hmac
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tending.channel.models import Channel
from tending.channel.service import build_connector
from tending.config import Settings
from tending.connectors.bases import Connector
from tending.connectors.graph.base import GraphConnector
from tending.connectors.graph.webhook import Notice, complete, read_notification, signature_valid
from tending.errors import Forbidden, Refused
from tending.ingest.service import IngestCache, ingest_items

log = logging.getLogger(__name__)

# The config key that holds the account id a notification's `entry.id` names, per network.
_ACCOUNT_KEY = {"facebook": "page_id", "instagram": "ig_user_id"}
_PLATFORM = {"facebook": "messenger", "instagram": "instagram"}
MAX_BODY_BYTES = 1024 * 1024


class WebhookRefused(Forbidden):
    """A handshake or notification that does not prove it comes from the configured Meta app."""


def answer_handshake(
    settings: Settings, *, mode: str | None, token: str | None, challenge: str | None
) -> str:
    """The challenge to echo when Meta subscribes with the configured verify token; refused otherwise."""
    expected = settings.meta_verify_token.get_secret_value() if settings.meta_verify_token else ""
    if not expected:
        raise WebhookRefused("webhooks are not set up: TENDING_META_VERIFY_TOKEN is empty")
    if mode != "subscribe" or not challenge or not hmac.compare_digest(expected, token or ""):
        raise WebhookRefused("the verify token does not match TENDING_META_VERIFY_TOKEN")
    return challenge


def check_notification(settings: Settings, *, body: bytes, signature: str | None) -> dict[str, Any]:
    """The notification's JSON once its signature matches the app secret; anything else is refused
    before it is read."""
    secret = settings.meta_app_secret.get_secret_value() if settings.meta_app_secret else ""
    if not secret:
        raise WebhookRefused("webhooks are not set up: TENDING_META_APP_SECRET is empty")
    if len(body) > MAX_BODY_BYTES:
        raise Refused(f"the notification is larger than {MAX_BODY_BYTES} bytes")
    if not signature_valid(body, signature, secret):
        raise WebhookRefused("the X-Hub-Signature-256 header does not match the app secret")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Refused("the notification is not JSON") from exc
    if not isinstance(payload, dict):
        raise Refused("the notification is not a JSON object")
    return payload


@dataclass
class Delivery:
    """What one notification became: new message ids per channel, and accounts no channel listens to."""

    new_message_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    channels: set[int] = field(default_factory=set)
    unknown_accounts: set[str] = field(default_factory=set)


def _channels_for(session: Session, network: str, account_ids: set[str]) -> dict[str, list[Channel]]:
    """Active channels of `network` whose account id is among `account_ids` (one account may be a
    channel in several workspaces)."""
    key = _ACCOUNT_KEY[network]
    found: dict[str, list[Channel]] = defaultdict(list)
    for channel in session.scalars(
        select(Channel).where(Channel.network == network, Channel.status != "paused")
    ):
        account = str((channel.config or {}).get(key) or "")
        if account in account_ids:
            found[account].append(channel)
    return found


def deliver_meta(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    payload: dict[str, Any],
    connector_factory: Callable[[Channel], Connector] | None = None,
) -> Delivery:
    """Store the notification's items on every channel listening to the account named; commits per
    channel. Graph errors (reading a message's conversation or a mention) propagate, so the task
    retries; what was stored before stays stored and is not stored twice."""
    delivery = Delivery()
    grouped: dict[tuple[str, str], list[Notice]] = defaultdict(list)
    for notice in read_notification(payload):
        grouped[(notice.network, notice.account_id)].append(notice)
    if not grouped:
        return delivery
    cache = IngestCache()
    with factory() as session:
        by_network: dict[str, dict[str, list[Channel]]] = {}
        for network in {n for n, _ in grouped}:
            by_network[network] = _channels_for(session, network, {a for n, a in grouped if n == network})
        for (network, account), notices in grouped.items():
            channels = by_network[network].get(account, [])
            if not channels:
                delivery.unknown_accounts.add(f"{network}:{account}")
                continue
            for channel in channels:
                items = _items(channel, notices, settings=settings, connector_factory=connector_factory)
                stats = ingest_items(session, channel=channel, items=items, cache=cache)
                session.commit()
                delivery.new_message_ids += stats.new_message_ids
                delivery.duplicates += stats.duplicates
                delivery.channels.add(channel.id)
    if delivery.unknown_accounts:
        log.info("webhook: no channel listens to %s", ", ".join(sorted(delivery.unknown_accounts)))
    return delivery


def _items(
    channel: Channel,
    notices: list[Notice],
    *,
    settings: Settings,
    connector_factory: Callable[[Channel], Connector] | None,
) -> list[Any]:
    """The notices' items for one channel, reading Graph only when a notice needs it."""
    if not any(n.with_user or n.mention for n in notices):
        return [n.item for n in notices if n.item is not None]
    connector = (
        connector_factory(channel) if connector_factory else build_connector(channel, settings=settings)
    )
    try:
        if not isinstance(connector, GraphConnector):
            raise TypeError(f"the {channel.network} connector does not speak Graph")
        return complete(notices, connector.graph, platform=_PLATFORM[channel.network])
    finally:
        connector.close()
