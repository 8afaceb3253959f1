"""Encryption of channel credentials at rest (Fernet; several keys accepted during rotation)."""

from __future__ import annotations

from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tending.config import Settings
from tending.keys.service import credentials_keys


class CredentialsUnreadable(RuntimeError):
    """The stored credentials cannot be decrypted with any configured key."""


def cipher(settings: Settings) -> MultiFernet:
    """Encrypts with the credentials key; decrypts with it or any older key (see `credentials_keys`)."""
    return MultiFernet([Fernet(key) for key in credentials_keys(settings)])


def encrypt_credentials(settings: Settings, credentials: dict[str, str]) -> str:
    return cipher(settings).encrypt(orjson.dumps(credentials)).decode()


def decrypt_credentials(settings: Settings, token: str | None) -> dict[str, str]:
    if not token:
        return {}
    try:
        return dict(orjson.loads(cipher(settings).decrypt(token.encode())))
    except InvalidToken:
        raise CredentialsUnreadable(
            "channel credentials cannot be decrypted: was TENDING_CREDENTIALS_KEY changed?"
        ) from None


def reencrypt(settings: Settings, token: str) -> str | None:
    """`token` encrypted under the current credentials key, or None when it already is.

    Raises `CredentialsUnreadable` when no configured key opens it."""
    keys = credentials_keys(settings)
    try:
        Fernet(keys[0]).decrypt(token.encode())
        return None
    except InvalidToken:
        pass
    try:
        return cipher(settings).rotate(token.encode()).decode()
    except InvalidToken:
        raise CredentialsUnreadable("stored secret cannot be decrypted with any configured key") from None


def reencrypt_column(
    session: Session, *, settings: Settings, column: InstrumentedAttribute[Any], prefix: str = ""
) -> tuple[int, list[int]]:
    """Move every encrypted value of `column` (stored after `prefix`) to the current key.

    Returns the number of rows moved and the ids of rows no configured key opens (left as they are)."""
    model, name = column.class_, column.key
    moved, unreadable = 0, []
    for row in session.scalars(select(model).where(column.is_not(None), column.startswith(prefix))):
        value = getattr(row, name)
        try:
            fresh = reencrypt(settings, value[len(prefix) :])
        except CredentialsUnreadable:
            unreadable.append(row.id)
            continue
        if fresh is not None:
            setattr(row, name, prefix + fresh)
            moved += 1
    session.flush()
    return moved, unreadable
