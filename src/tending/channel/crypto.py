"""Encryption of channel credentials at rest (Fernet; several keys accepted during rotation)."""

from __future__ import annotations

import base64
import hashlib

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from tending.config import Settings


class CredentialsUnreadable(RuntimeError):
    """The stored credentials cannot be decrypted with any configured key."""


def _key_from_secret(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(b"tending-credentials:" + secret.encode()).digest())


def cipher(settings: Settings) -> MultiFernet:
    primary = (
        settings.credentials_key.get_secret_value().encode()
        if settings.credentials_key
        else _key_from_secret(settings.secret_key.get_secret_value())
    )
    keys = [Fernet(primary)] + [Fernet(k.get_secret_value().encode()) for k in settings.credentials_old_keys]
    return MultiFernet(keys)


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
