"""Storing credentials a connector renewed while it ran, encrypted like those a person entered."""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from tending.channel.crypto import encrypt_credentials
from tending.channel.models import Channel
from tending.config import Settings
from tending.connectors.bases.renewal import CredentialsSink

log = logging.getLogger(__name__)


def credentials_sink(channel: Channel, *, settings: Settings) -> CredentialsSink:
    """A sink that commits renewed credentials at once, in a session of their own.

    This is a runner's step on purpose: the network has already retired the old refresh token, so the
    new one must not be lost when the poll, reply or publish that triggered the renewal rolls back. When
    that own write cannot get the database (the caller holds its write lock), the value is set on the
    caller's channel row instead and lands with the caller's commit.
    """

    def save(credentials: dict[str, str]) -> None:
        token = encrypt_credentials(settings, credentials)
        outer = object_session(channel)
        if outer is not None and channel.id is not None:
            try:
                with Session(outer.get_bind()) as own:
                    own.execute(
                        update(Channel).where(Channel.id == channel.id).values(credentials_encrypted=token)
                    )
                    own.commit()
            except OperationalError:
                log.warning("channel %s: renewed credentials kept for the caller's commit", channel.id)
                channel.credentials_encrypted = token
                return
        set_committed_value(channel, "credentials_encrypted", token)

    return save
