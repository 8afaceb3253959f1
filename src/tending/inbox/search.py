"""Full-text search over message text: FTS5 on SQLite, a GIN tsvector index on PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, Select, text
from sqlalchemy.orm import Session

from tending.inbox.models import Message

SQLITE_DDL = "CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5(text, content='', tokenize='unicode61')"
POSTGRES_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_message_text_fts ON message USING gin (to_tsvector('simple', text))"
)


def create_search_index(bind: Engine | Connection) -> None:
    """Create the backend's search structure (idempotent); migrations call it."""
    stmt = SQLITE_DDL if bind.dialect.name == "sqlite" else POSTGRES_DDL
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            conn.execute(text(stmt))
    else:
        bind.execute(text(stmt))


def index_messages(session: Session, *, message_ids: list[int]) -> None:
    """Add new messages to the SQLite index; PostgreSQL's expression index maintains itself."""
    if not message_ids or session.get_bind().dialect.name != "sqlite":
        return
    lo, hi = min(message_ids), max(message_ids)
    if hi - lo + 1 == len(message_ids):  # contiguous ids: one range scan
        session.execute(
            text("INSERT INTO message_fts(rowid, text) SELECT id, text FROM message WHERE id BETWEEN :lo AND :hi"),
            {"lo": lo, "hi": hi},
        )
        return
    for i in range(0, len(message_ids), 900):
        part = message_ids[i : i + 900]
        marks = ",".join(str(int(x)) for x in part)
        session.execute(text(f"INSERT INTO message_fts(rowid, text) SELECT id, text FROM message WHERE id IN ({marks})"))


_WORD = re.compile(r"\w+", re.UNICODE)


def _fts5_query(q: str) -> str:
    """Words of the query, each quoted, all required: safe from FTS5 syntax in user input."""
    words = _WORD.findall(q)
    return " ".join(f'"{w}"' for w in words[:12])


def matching_message_ids(session: Session, *, q: str) -> Select[tuple[int]] | None:
    """A sub-select of ids of messages matching `q`, or None when the query has no words."""
    from sqlalchemy import func, select

    if session.get_bind().dialect.name == "sqlite":
        query = _fts5_query(q)
        if not query:
            return None
        return select(text("rowid")).select_from(text("message_fts")).where(
            text("message_fts MATCH :q").bindparams(q=query)
        )  # type: ignore[return-value]
    if not _WORD.search(q):
        return None
    return select(Message.id).where(
        func.to_tsvector("simple", Message.text).op("@@")(func.plainto_tsquery("simple", q))
    )
