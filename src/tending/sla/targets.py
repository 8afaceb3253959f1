"""Alert destination targets at rest: chat and webhook URLs carry their token, so they are stored
encrypted with the channel credentials' key; e-mail addresses are stored as they are."""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from sqlalchemy.orm import Session

from tending.channel.crypto import cipher, reencrypt_column
from tending.config import Settings
from tending.sla.models import AlertDestination, DestinationKind

SEALED = "enc:"


class TargetUnreadable(RuntimeError):
    """A stored destination URL cannot be decrypted with any configured key."""


def seal_target(settings: Settings, *, kind: str, target: str) -> str:
    """What is stored: URL kinds encrypted, e-mail addresses as they are."""
    if kind == DestinationKind.email.value:
        return target
    return SEALED + cipher(settings).encrypt(target.encode()).decode()


def destination_target(settings: Settings, dest: AlertDestination) -> str:
    """The usable target. Rows stored before targets were encrypted read as they are."""
    if not dest.target.startswith(SEALED):
        return dest.target
    try:
        return cipher(settings).decrypt(dest.target[len(SEALED) :].encode()).decode()
    except InvalidToken:
        raise TargetUnreadable(
            f"alert destination {dest.id}: cannot decrypt its URL; was TENDING_CREDENTIALS_KEY changed?"
        ) from None


def reseal_targets(session: Session, *, settings: Settings) -> tuple[int, list[int]]:
    """Move every sealed destination URL to the current key: (rows moved, ids no key opens)."""
    return reencrypt_column(session, settings=settings, column=AlertDestination.target, prefix=SEALED)
