from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text
from tests.scale.cluster import pg_admin_url

from tending.config import Settings
from tending.database.core import Base, make_engine
from tending.database.migrate import upgrade
from tending.models import import_all_models

import_all_models()


def _assert_matches_models(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    # FTS tables are created by the migration on purpose and are not models
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("message_fts"))]
    diff = [d for d in diff if not (d[0] == "remove_index" and d[1].name == "ix_message_text_fts")]
    # The overview's waiting-slot index differs by dialect (an expression index on SQLite), so only the migration
    # declares it
    diff = [
        d for d in diff if not (d[0] == "remove_index" and d[1].name == "ix_conversation_ws_waiting_since")
    ]
    assert diff == []


def test_upgrade_from_empty_sqlite(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path))
    upgrade(engine)
    upgrade(engine)  # idempotent
    names = set(inspect(engine).get_table_names())
    assert {"message", "conversation", "channel", "author", "audit_entry", "message_fts"} <= names
    _assert_matches_models(engine)


def test_upgrade_from_empty_postgres() -> None:
    url = pg_admin_url()
    name = f"tending_migration_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {url}: {exc.__class__.__name__}")
    target = make_url(url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(Settings(database_url=target))
    try:
        upgrade(engine)
        assert "message" in inspect(engine).get_table_names()
        _assert_matches_models(engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
