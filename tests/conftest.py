"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when
TENDING_TEST_DATABASE_URL is set), the app called in-process, and a small brand world."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TENDING_QUEUE_IMMEDIATE", "true")
os.environ.setdefault("TENDING_DATA_DIR", tempfile.mkdtemp(prefix="tending-test-"))

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from tests.fakes import SmtpRecorder

from tending.app import create_app
from tending.auth.models import Role, User, UserCreate
from tending.auth.service import create_user
from tending.channel.models import Channel, ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.database.core import Base, make_engine, make_session_factory
from tending.inbox.search import create_search_index
from tending.models import import_all_models
from tending.workspace.models import Workspace, WorkspaceCreate
from tending.workspace.service import create as create_workspace

import_all_models()
PG_URL = os.environ.get("TENDING_TEST_DATABASE_URL")
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine | None]:
    if not PG_URL:
        yield None
        return
    engine = make_engine(Settings(database_url=PG_URL))
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    Base.metadata.create_all(engine)
    create_search_index(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def settings(tmp_path: Path, pg_engine: Engine | None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The test's settings; background tasks (run inline) read the same database through them."""
    from tending.config import get_settings
    from tending.worker import runtime

    monkeypatch.setenv("TENDING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TENDING_DEMO_CONNECTORS", "true")  # the `fake` connector, reading <data>/demo
    if PG_URL:
        monkeypatch.setenv("TENDING_DATABASE_URL", PG_URL)
    get_settings.cache_clear()
    runtime.cache_clear()
    yield Settings(
        data_dir=tmp_path / "data",
        database_url=PG_URL,
        queue_immediate=True,
        secret_key="test-secret-key-with-enough-length!",
        login_rate_limit=5,
        demo_connectors=True,
    )
    get_settings.cache_clear()
    runtime.cache_clear()


@pytest.fixture()
def engine(settings: Settings, pg_engine: Engine | None) -> Iterator[Engine]:
    if pg_engine is not None:
        names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
        with pg_engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        yield pg_engine
        return
    eng = make_engine(settings)
    Base.metadata.create_all(eng)
    create_search_index(eng)
    yield eng
    eng.dispose()


@pytest.fixture()
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture()
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as s:
        yield s


@pytest.fixture()
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> SmtpRecorder:
    """Every `smtplib.SMTP` / `SMTP_SSL` connection of the test goes to one recorder."""
    import smtplib

    recorder = SmtpRecorder()
    monkeypatch.setattr(smtplib, "SMTP", recorder.connect)
    monkeypatch.setattr(smtplib, "SMTP_SSL", recorder.connect)
    return recorder


@pytest.fixture()
def db(session: Session) -> Session:
    """The same session, under the name the desk tests use."""
    return session


@dataclass
class World:
    workspace: Workspace
    other_workspace: Workspace
    admin: User
    member: User
    agency: User
    outsider_agency: User
    channel: Channel
    other_channel: Channel


@pytest.fixture()
def world(factory: sessionmaker[Session], settings: Settings, tmp_path: Path) -> World:
    with factory() as s:
        ws = create_workspace(s, workspace_in=WorkspaceCreate(name="Acme Coffee", slug="acme"))
        other = create_workspace(s, workspace_in=WorkspaceCreate(name="Other Brand", slug="other"))

        def user(email: str, role: Role, wss: list[int]) -> User:
            return create_user(
                s,
                user_in=UserCreate(
                    email=email, name=email.split("@")[0].title(), password=PASSWORD, role=role
                ),
                workspace_ids=wss,
            )

        admin = user("admin@acme.test", Role.admin, [])
        member = user("mia@acme.test", Role.member, [ws.id])
        agency = user("ada@agency.test", Role.agency, [ws.id])
        outsider = user("otto@agency.test", Role.agency, [other.id])
        source = demo_file(settings, "fake-source.jsonl", "")
        ch = create_channel(
            s,
            settings=settings,
            workspace_id=ws.id,
            channel_in=ChannelCreate(
                network="fake",
                name="Acme on Fake",
                external_id="acme-fake",
                config={"source": str(source)},
                credentials={"token": "s3cret-token-value"},
            ),
        )
        och = create_channel(
            s,
            settings=settings,
            workspace_id=other.id,
            channel_in=ChannelCreate(
                network="fake", name="Other on Fake", external_id="other-fake", config={}
            ),
        )
        s.commit()
        return World(ws, other, admin, member, agency, outsider, ch, och)


@pytest.fixture()
def app(settings: Settings, engine: Engine):
    """The app under test; its own connection pool is closed after the test (on PostgreSQL a pool left
    open per test would exhaust the server's connections within a run)."""
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture()
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def demo_file(settings: Settings, name: str, content: str | bytes = b"") -> Path:
    """A file in the demo folder, the only place the `fake` connector reads from."""
    path = settings.demo_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def login(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    """Log in through the API and keep the CSRF token as a default header."""
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return client
