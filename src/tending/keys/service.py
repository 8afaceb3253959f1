"""The install's two secrets: the session key signs login cookies and CSRF tokens; the credentials key
encrypts channel credentials and alert URLs at rest. They are independent, so rotating the session key
ends every login and leaves stored credentials readable.

When a key is not configured, the embedded mode generates a random one once and keeps it in the data
folder (mode 0600); a server reachable from other machines, or several machines sharing one database,
must be given explicit keys instead, and `check_serving` / `check_worker` refuse to start without them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

from tending.config import Settings

# The default earlier versions shipped: whoever knows it can sign sessions, so it counts as no key.
PLACEHOLDER_SECRET_KEY = "change-me-in-production-please-32b"
MIN_SECRET_LENGTH = 32
SESSION_KEY_FILE = "secret.key"
CREDENTIALS_KEY_FILE = "credentials.key"


class UnsafeKeys(RuntimeError):
    """The configured keys may not be used for this bind address or this mode."""


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (`127.0.0.1`, `::1`, `localhost`)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def configured_secret(settings: Settings) -> str | None:
    """The session key set by the operator; the old placeholder counts as not set."""
    if settings.secret_key is None:
        return None
    value = settings.secret_key.get_secret_value()
    return None if not value or value == PLACEHOLDER_SECRET_KEY else value


def _key_file(path: Path, make: Callable[[], str]) -> str:
    """The key kept in `path`, created once (0600). Several processes may race here: the first link wins
    and every process reads that one."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(make() + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def session_secret(settings: Settings) -> str:
    """The key that signs session cookies: the configured one, else the data folder's own."""
    return configured_secret(settings) or _key_file(
        settings.data_dir / SESSION_KEY_FILE, lambda: secrets.token_urlsafe(48)
    )


def legacy_credentials_key(secret: str) -> bytes:
    """The credentials key earlier versions derived from the session key (read-only fallback)."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"tending-credentials:" + secret.encode()).digest())


def credentials_keys(settings: Settings) -> list[bytes]:
    """Keys for channel credentials, the one that encrypts first.

    After it: the rotation keys in `credentials_old_keys`, then the keys earlier versions derived from
    the session key (the configured one and the placeholder), so that an upgraded install keeps reading
    what it stored before; `tending keys reencrypt` moves those rows to the first key."""
    primary = (
        settings.credentials_key.get_secret_value()
        if settings.credentials_key
        else _key_file(settings.data_dir / CREDENTIALS_KEY_FILE, lambda: Fernet.generate_key().decode())
    )
    keys = [primary.encode()] + [k.get_secret_value().encode() for k in settings.credentials_old_keys]
    secret = configured_secret(settings)
    keys += [legacy_credentials_key(s) for s in (secret, PLACEHOLDER_SECRET_KEY) if s]
    return list(dict.fromkeys(keys))


def check_serving(settings: Settings, *, host: str) -> None:
    """Refuse keys that would let anyone who can reach the server forge a login or read credentials."""
    secret = configured_secret(settings)
    if not is_loopback(host):
        if secret is None:
            raise UnsafeKeys(
                f"refusing to serve on {host}: TENDING_SECRET_KEY is not set (or is the old placeholder); "
                f"set a random value of at least {MIN_SECRET_LENGTH} characters (`tending keys generate`)"
            )
        if len(secret) < MIN_SECRET_LENGTH:
            raise UnsafeKeys(
                f"refusing to serve on {host}: TENDING_SECRET_KEY has {len(secret)} characters; "
                f"use a random value of at least {MIN_SECRET_LENGTH} (`tending keys generate`)"
            )
    if not settings.is_sqlite and secret is None:
        raise UnsafeKeys(
            "refusing to serve: a shared database needs the same TENDING_SECRET_KEY on every web process "
            "(`tending keys generate`)"
        )
    check_worker(settings)


def check_worker(settings: Settings) -> None:
    """Several machines on one database must share the credentials key; a per-folder key would differ."""
    if not settings.is_sqlite and settings.credentials_key is None:
        raise UnsafeKeys(
            "refusing to start: a shared database needs the same TENDING_CREDENTIALS_KEY on every process "
            "(`tending keys generate`)"
        )
    if settings.credentials_key is not None:
        try:
            Fernet(settings.credentials_key.get_secret_value().encode())
        except ValueError:
            raise UnsafeKeys(
                "TENDING_CREDENTIALS_KEY is not a Fernet key (urlsafe base64 of 32 bytes); "
                "`tending keys generate` makes one"
            ) from None
