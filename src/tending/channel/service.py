"""Channels: creation with encrypted credentials, and building their connector."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tending.channel.crypto import decrypt_credentials, encrypt_credentials, reencrypt_column
from tending.channel.models import Channel, ChannelCreate, ChannelRead
from tending.config import Settings
from tending.connectors.bases import Connector
from tending.connectors.registry import get_connector_class


class DuplicateChannel(ValueError):
    """The workspace already has a channel for this network account."""


def create(session: Session, *, settings: Settings, workspace_id: int, channel_in: ChannelCreate) -> Channel:
    get_connector_class(channel_in.network)  # refuse unknown networks early
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
    session: Session, *, settings: Settings, channel: Channel, credentials: dict[str, str]
) -> None:
    channel.credentials_encrypted = encrypt_credentials(settings, credentials)
    channel.status = "active"
    channel.last_error = None
    session.flush()


def list_for_workspace(session: Session, *, workspace_id: int) -> list[Channel]:
    return list(
        session.scalars(select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.id))
    )


def to_read(channel: Channel) -> ChannelRead:
    read = ChannelRead.model_validate(channel)
    read.has_credentials = bool(channel.credentials_encrypted)
    return read


def build_connector(channel: Channel, *, settings: Settings) -> Connector:
    cls = get_connector_class(channel.network)
    return cls(
        config=channel.config, credentials=decrypt_credentials(settings, channel.credentials_encrypted)
    )


def reencrypt_credentials(session: Session, *, settings: Settings) -> tuple[int, list[int]]:
    """Move every channel's credentials to the current key: (rows moved, channel ids no key opens)."""
    return reencrypt_column(session, settings=settings, column=Channel.credentials_encrypted)
