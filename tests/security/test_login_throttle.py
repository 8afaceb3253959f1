"""Item 7: login limits that stop guessing and spraying without locking the owner out, an unknown e-mail
as slow as a known one, and old attempt rows pruned."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.conftest import PASSWORD

import tending.auth.service as auth_service
from tending.app import create_app
from tending.auth.models import LoginAttempt
from tending.database.core import utcnow

ATTACKER = ("203.0.113.9", 40000)
OWNER = ("198.51.100.7", 40000)


def _login(app, address: tuple[str, int], email: str, password: str) -> int:
    with TestClient(app, client=address) as c:
        return c.post("/api/v1/auth/login", json={"email": email, "password": password}).status_code


def test_guessing_from_one_address_never_locks_the_owner_out(app, world) -> None:
    for _ in range(12):
        assert _login(app, ATTACKER, "mia@acme.test", "guess") in (401, 429)
    assert _login(app, ATTACKER, "mia@acme.test", "guess") == 429
    assert _login(app, OWNER, "mia@acme.test", PASSWORD) == 200


def test_the_lock_is_short(app, world) -> None:
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(5):
            assert _login(app, OWNER, "mia@acme.test", "typo") == 401
        with TestClient(app, client=OWNER) as c:
            r = c.post("/api/v1/auth/login", json={"email": "mia@acme.test", "password": PASSWORD})
        assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 60
        clock.shift(timedelta(seconds=61))
        assert _login(app, OWNER, "mia@acme.test", PASSWORD) == 200


def test_spraying_many_accounts_from_one_address_is_stopped(settings, engine, world) -> None:
    app = create_app(settings.model_copy(update={"login_source_limit": 8}))
    for n in range(8):
        assert _login(app, ATTACKER, f"person{n}@acme.test", "Winter2026!") == 401
    # The next account, even with its right password, waits; the same account elsewhere does not.
    assert _login(app, ATTACKER, "mia@acme.test", PASSWORD) == 429
    assert _login(app, OWNER, "mia@acme.test", PASSWORD) == 200


def test_unknown_email_verifies_a_dummy_hash(session, world, monkeypatch) -> None:
    calls: list[str] = []
    real = auth_service.verify_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(auth_service, "verify_password", counting)
    limits = auth_service.LoginLimits(per_account_source=5, per_source=50, lock=timedelta(seconds=60))
    for email in ("nobody@acme.test", "mia@acme.test"):
        assert (
            auth_service.authenticate(session, email=email, password="x", address="a", limits=limits) is None
        )
    assert len(calls) == 2 and all(h.startswith("$argon2") for h in calls)


def test_old_attempt_rows_are_pruned(app, world, factory) -> None:
    with factory() as s:
        s.add_all(
            LoginAttempt(email=f"old{n}@x.test", address="a", at=utcnow() - timedelta(days=3))
            for n in range(5)
        )
        s.commit()
    assert _login(app, OWNER, "mia@acme.test", "typo") == 401
    with factory() as s:
        assert s.scalar(select(func.count(LoginAttempt.id))) == 1
