"""Item 1: no forgeable session key, a credentials key of its own, and a server that refuses to be
reachable from other machines with the placeholder or a short key."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
import uvicorn
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from sqlalchemy import Engine
from tests.conftest import PASSWORD, login
from typer.testing import CliRunner

from tending.app import create_app
from tending.channel.crypto import decrypt_credentials, encrypt_credentials
from tending.cli import app as cli
from tending.config import Settings, get_settings
from tending.keys.service import (
    PLACEHOLDER_SECRET_KEY,
    SESSION_KEY_FILE,
    UnsafeKeys,
    check_worker,
    legacy_credentials_key,
    session_secret,
)

REAL_KEY = "a-real-secret-key-of-more-than-32-characters"


def _forged_cookie(secret: str, session: dict[str, object]) -> str:
    """A session cookie signed the way the session middleware signs one."""
    data = base64.b64encode(json.dumps(session).encode())
    return TimestampSigner(secret).sign(data).decode()


def _settings(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update=changes)


@pytest.mark.parametrize("configured", [None, REAL_KEY])
def test_cookie_signed_with_the_placeholder_is_not_a_login(
    settings, engine: Engine, world, configured
) -> None:
    """Unset, the key is the data folder's own random one; set, it is the operator's. Never the placeholder."""
    app = create_app(_settings(settings, secret_key=SecretStr(configured) if configured else None))
    with TestClient(app) as client:
        for session in ({"uid": world.admin.id}, {"sid": "guess", "uid": world.admin.id}):
            client.cookies.set("tending_session", _forged_cookie(PLACEHOLDER_SECRET_KEY, session))
            assert client.get("/api/v1/me").status_code == 401
            assert client.post(
                f"/api/v1/workspaces/{world.workspace.id}/tokens", json={"name": "x"}
            ).status_code in (
                401,
                403,
            )


def test_generated_session_key_is_kept_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "demo")
    first = session_secret(settings)
    assert len(first) >= 32 and first != PLACEHOLDER_SECRET_KEY
    assert session_secret(Settings(data_dir=tmp_path / "demo")) == first
    path = tmp_path / "demo" / SESSION_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert session_secret(Settings(data_dir=tmp_path / "other")) != first


@pytest.fixture()
def serve_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """`tending serve` with uvicorn replaced by a recorder, in an empty environment."""
    started: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: started.append(kw))
    for name in ("TENDING_SECRET_KEY", "TENDING_DATABASE_URL", "TENDING_CREDENTIALS_KEY", "TENDING_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TENDING_DATA_DIR", str(tmp_path / "serve-data"))
    get_settings.cache_clear()
    yield started
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("key", "named"),
    [
        (None, "TENDING_SECRET_KEY"),
        (PLACEHOLDER_SECRET_KEY, "TENDING_SECRET_KEY"),
        ("short-key", "characters"),
    ],
)
def test_serve_refuses_a_public_address_without_a_real_key(
    serve_env, monkeypatch: pytest.MonkeyPatch, key: str | None, named: str
) -> None:
    if key is not None:
        monkeypatch.setenv("TENDING_SECRET_KEY", key)
    result = CliRunner().invoke(cli, ["serve", "--no-migrate", "--host", "0.0.0.0"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "refusing to serve on 0.0.0.0" in lines[0] and named in lines[0]
    assert serve_env == []


def test_serve_on_loopback_or_with_a_real_key_starts(serve_env, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(cli, ["serve", "--no-migrate"]).exit_code == 0
    monkeypatch.setenv("TENDING_SECRET_KEY", REAL_KEY)
    get_settings.cache_clear()
    assert CliRunner().invoke(cli, ["serve", "--no-migrate", "--host", "0.0.0.0"]).exit_code == 0
    assert [call["host"] for call in serve_env] == ["127.0.0.1", "0.0.0.0"]


def test_shared_database_needs_explicit_keys() -> None:
    shared = Settings(database_url="postgresql+psycopg://tending@db.internal/tending", secret_key=REAL_KEY)
    with pytest.raises(UnsafeKeys, match="TENDING_CREDENTIALS_KEY"):
        check_worker(shared)
    with pytest.raises(UnsafeKeys, match="Fernet"):
        check_worker(Settings(credentials_key="not-a-fernet-key"))
    check_worker(shared.model_copy(update={"credentials_key": SecretStr(Fernet.generate_key().decode())}))


def test_rotating_the_session_key_ends_sessions_and_keeps_credentials(
    settings, engine: Engine, world
) -> None:
    before = _settings(settings, secret_key=SecretStr(REAL_KEY))
    after = _settings(settings, secret_key=SecretStr(REAL_KEY[::-1]))
    sealed = encrypt_credentials(before, {"access_token": "page-token"})
    with TestClient(create_app(before)) as old:
        login(old, "mia@acme.test")
        cookie = old.cookies["tending_session"]
        assert old.get("/api/v1/me").status_code == 200
    with TestClient(create_app(after)) as new:
        new.cookies.set("tending_session", cookie)
        assert new.get("/api/v1/me").status_code == 401
        assert (
            new.post("/api/v1/auth/login", json={"email": "mia@acme.test", "password": PASSWORD}).status_code
            == 200
        )
    assert decrypt_credentials(after, sealed) == {"access_token": "page-token"}


def test_credentials_under_the_old_derivation_stay_readable_and_move(
    settings, factory, world, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgraded install: its credentials were sealed with a key derived from the session key."""
    from tending.channel.models import Channel
    from tending.channel.service import reencrypt_credentials

    old = _settings(settings, secret_key=SecretStr(REAL_KEY))
    legacy = Fernet(legacy_credentials_key(REAL_KEY)).encrypt(b'{"token": "kept"}').decode()
    with factory() as s:
        s.get(Channel, world.channel.id).credentials_encrypted = legacy
        s.commit()
        assert decrypt_credentials(old, legacy) == {"token": "kept"}
        moved, unreadable = reencrypt_credentials(s, settings=old)
        s.commit()
        assert (moved, unreadable) == (1, [])
        stored = s.get(Channel, world.channel.id).credentials_encrypted
    rotated = _settings(settings, secret_key=SecretStr("an-entirely-new-secret-key-0123456789"))
    assert decrypt_credentials(rotated, stored) == {"token": "kept"}


def test_alert_urls_move_too_and_unreadable_rows_are_named(settings, session, world) -> None:
    from tending.sla.models import AlertDestination
    from tending.sla.targets import SEALED, destination_target, reseal_targets

    old = _settings(settings, secret_key=SecretStr(REAL_KEY))
    legacy = AlertDestination(
        workspace_id=world.workspace.id,
        kind="webhook",
        target=SEALED
        + Fernet(legacy_credentials_key(REAL_KEY)).encrypt(b"https://hooks.example/T/B/x").decode(),
    )
    lost = AlertDestination(
        workspace_id=world.workspace.id,
        kind="chat",
        target=SEALED + Fernet(Fernet.generate_key()).encrypt(b"https://chat.example/lost").decode(),
    )
    session.add_all([legacy, lost])
    session.flush()
    lost_before = lost.target
    assert reseal_targets(session, settings=old) == (1, [lost.id])
    rotated = _settings(settings, secret_key=SecretStr("an-entirely-new-secret-key-0123456789"))
    assert destination_target(rotated, legacy) == "https://hooks.example/T/B/x"
    assert lost.target == lost_before  # left as it was, for an old key to open later
