"""Channels: creation with encrypted credentials, and building their connector."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.channel.crypto import decrypt_credentials, encrypt_credentials, reencrypt_column
from tending.channel.models import Channel, ChannelCreate, ChannelRead, ChannelStatus
from tending.channel.renewal import credentials_sink
from tending.config import Settings
from tending.connectors.bases import Connector, ConnectorContext, NotPermitted
from tending.connectors.bases.renewal import Renewing
from tending.connectors.registry import UnknownNetwork, get_connector_class
from tending.errors import Conflict, Refused


class DuplicateChannel(Conflict, ValueError):
    """The workspace already has a channel for this network account."""


class NetworkRefused(Refused, ValueError):
    """A network this install does not offer."""


class ConfigRefused(Refused, NotPermitted, ValueError):
    """A channel configuration its connector refuses, said in one line: a bad form value when saving,
    a connector error (the channel cannot work) when a stored one is refused later."""


def _one_line(exc: ValidationError) -> str:
    return "; ".join(
        f"config.{'.'.join(str(p) for p in e['loc']) or '?'}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors(include_url=False)
    )


def check_config(*, settings: Settings, network: str, config: dict[str, Any]) -> None:
    """Refuse a network this install does not offer (UnknownNetwork) and a configuration its connector
    would refuse (ConfigRefused): an address the server may not call, a file outside the demo folder,
    a missing field."""
    try:
        cls = get_connector_class(network, settings=settings)
    except UnknownNetwork as exc:
        raise NetworkRefused(str(exc)) from None
    try:
        cls.config_model.model_validate(config, context=ConnectorContext.from_settings(settings).validation())
    except ValidationError as exc:
        raise ConfigRefused(_one_line(exc), network=network) from None


def connect(
    session: Session, *, settings: Settings, workspace_id: int, actor_id: int, channel_in: ChannelCreate
) -> Channel:
    """A person connects a channel: `create`, and the audit entry that says who did."""
    channel = create(session, settings=settings, workspace_id=workspace_id, channel_in=channel_in)
    record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        action="channel.create",
        target_type="channel",
        target_id=channel.id,
        detail={"network": channel.network},
    )
    return channel


def create(session: Session, *, settings: Settings, workspace_id: int, channel_in: ChannelCreate) -> Channel:
    check_config(settings=settings, network=channel_in.network, config=channel_in.config)
    existing = session.scalar(
        select(Channel.id).where(
            Channel.workspace_id == workspace_id,
            Channel.network == channel_in.network,
            Channel.external_id == channel_in.external_id,
        )
    )
    if existing is not None:
        raise DuplicateChannel(
            f"this workspace already has the {channel_in.network} account {channel_in.external_id!r}"
            f" (channel {existing})"
        )
    channel = Channel(
        workspace_id=workspace_id,
        network=channel_in.network,
        name=channel_in.name,
        handle=channel_in.handle,
        external_id=channel_in.external_id,
        config=dict(channel_in.config),
        credentials_encrypted=(
            encrypt_credentials(settings, channel_in.credentials) if channel_in.credentials else None
        ),
        cursor={},
    )
    try:
        with session.begin_nested():  # a concurrent create of the same account loses here, not with a 500
            session.add(channel)
    except IntegrityError:
        raise DuplicateChannel(
            f"this workspace already has the {channel_in.network} account {channel_in.external_id!r}"
        ) from None
    return channel


def set_credentials(
    session: Session,
    *,
    settings: Settings,
    channel: Channel,
    credentials: dict[str, str],
    actor_id: int | None = None,
) -> None:
    """Store new credentials (encrypted); a channel waiting for them is active again and polling resumes."""
    channel.credentials_encrypted = encrypt_credentials(settings, credentials)
    channel.status = ChannelStatus.active.value
    channel.last_error = None
    session.flush()
    record(
        session,
        workspace_id=channel.workspace_id,
        actor_id=actor_id,
        action="channel.credentials",
        target_type="channel",
        target_id=channel.id,
        detail={"network": channel.network, "fields": sorted(credentials)},
    )


def list_for_workspace(session: Session, *, workspace_id: int) -> list[Channel]:
    return list(
        session.scalars(select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.id))
    )


def to_read(channel: Channel) -> ChannelRead:
    read = ChannelRead.model_validate(channel)
    read.has_credentials = bool(channel.credentials_encrypted)
    return read


def build_connector(channel: Channel, *, settings: Settings) -> Connector:
    """The channel's connector, reaching only what this install allows (see `ConnectorContext`).
    A stored configuration that is refused now (the allow-list changed) raises ConfigRefused."""
    cls = get_connector_class(channel.network)
    try:
        connector = cls(
            config=channel.config,
            credentials=decrypt_credentials(settings, channel.credentials_encrypted),
            context=ConnectorContext.from_settings(settings),
        )
    except ValidationError as exc:
        raise ConfigRefused(_one_line(exc), network=channel.network) from None
    if isinstance(connector, Renewing):
        connector.credentials_sink = credentials_sink(channel, settings=settings)
    return connector


def reencrypt_credentials(session: Session, *, settings: Settings) -> tuple[int, list[int]]:
    """Move every channel's credentials to the current key: (rows moved, channel ids no key opens)."""
    return reencrypt_column(session, settings=settings, column=Channel.credentials_encrypted)
