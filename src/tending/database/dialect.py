"""Dialect-specific statements that SQLite and PostgreSQL both offer under different imports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert_insert(session: Session, table: Table) -> Any:
    """An INSERT that supports ON CONFLICT on the session's backend."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database backend: {name}")


def chunks(seq: list[Any], size: int = 5000) -> list[list[Any]]:
    """Split a parameter list so that IN (...) stays under every backend's limit (SQLite: 32,766)."""
    return [seq[i : i + size] for i in range(0, len(seq), size)]
