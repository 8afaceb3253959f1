"""An in-memory database per test and the brand world of `campaign_world`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from campaign_world import Brand
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from tending.auth.models import Role, User, WorkspaceMembership
from tending.channel.models import Channel
from tending.database.core import Base
from tending.models import import_all_models
from tending.workspace.models import Workspace

import_all_models()


@pytest.fixture()
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    event.listen(engine, "connect", lambda conn, _rec: conn.execute("PRAGMA foreign_keys=ON"))
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture()
def brand(db: Session) -> Brand:
    ws = Workspace(name="Acme Coffee", slug="acme")
    db.add(ws)
    db.flush()
    owner = User(email="olga@acme.test", name="Olga", password_hash="x", role=Role.member.value)
    responder = User(email="raj@acme.test", name="Raj", password_hash="x", role=Role.member.value)
    db.add_all([owner, responder])
    db.flush()
    db.add_all([WorkspaceMembership(workspace_id=ws.id, user_id=u.id) for u in (owner, responder)])
    ch = Channel(workspace_id=ws.id, network="fake", name="Acme on Fake", external_id="acme-1")
    other = Channel(workspace_id=ws.id, network="fake", name="Acme elsewhere", external_id="acme-2")
    db.add_all([ch, other])
    db.flush()
    return Brand(db, ws, owner, responder, ch, other)
