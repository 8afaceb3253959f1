"""Dialect-specific statements that SQLite and PostgreSQL both offer under different imports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer, String


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


def in_values(session: Session, column: Any, values: list[str] | list[int]) -> ColumnElement[bool]:
    """`column IN (values)` with one bound parameter whatever the length: a JSON array on SQLite, an array on
    PostgreSQL. Thousands of separate parameters cost more to bind than the lookup itself."""
    if session.get_bind().dialect.name == "postgresql":
        element = Integer() if values and isinstance(values[0], int) else String()
        return column == func.any(bindparam("in_values", values, type_=ARRAY(element)))
    import orjson

    listed: Any = select(literal_column("value")).select_from(
        func.json_each(bindparam("in_values", orjson.dumps(values).decode()))
    )
    return column.in_(listed)


def param_mark(session: Session) -> str:
    """The driver's parameter mark: statements on the hot path skip SQLAlchemy's per-row binding."""
    return "?" if session.get_bind().dialect.name == "sqlite" else "%s"


def sqlite_time(value: datetime) -> str:
    """The text form SQLAlchemy gives a naive-UTC DATETIME on SQLite, so raw and ORM writes read alike."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")
