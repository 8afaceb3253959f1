"""Full-text search over message text: FTS5 on SQLite, a GIN tsvector index on PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from tending.inbox.models import Message

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5(ws, text, content='', tokenize='unicode61')"
)
# Search looks at this many most recent matching messages: common words stay fast at millions of rows,
# and a team searching for a word almost always wants the recent conversations that use it.
SEARCH_WINDOW = 5000
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
            text(
                "INSERT INTO message_fts(rowid, ws, text) SELECT id, 'w' || workspace_id, text FROM message "
                "WHERE id BETWEEN :lo AND :hi"
            ),
            {"lo": lo, "hi": hi},
        )
        return
    for i in range(0, len(message_ids), 900):
        part = message_ids[i : i + 900]
        marks = ",".join(str(int(x)) for x in part)
        session.execute(
            text(
                "INSERT INTO message_fts(rowid, ws, text) SELECT id, 'w' || workspace_id, text FROM message "
                f"WHERE id IN ({marks})"
            )
        )


_WORD = re.compile(r"\w+", re.UNICODE)


def _fts5_query(q: str, workspace_id: int) -> str:
    """Words of the query, each quoted, all required, within one workspace: safe from FTS5 syntax."""
    words = _WORD.findall(q)[:12]
    if not words:
        return ""
    return f'ws : "w{workspace_id}" AND ' + " AND ".join(f'text : "{w}"' for w in words)


def matching_message_ids(session: Session, *, workspace_id: int, q: str) -> list[int] | None:
    """Ids of the most recent messages of the workspace matching `q` (at most SEARCH_WINDOW), or None
    when the query has no words."""
    from sqlalchemy import func, select

    if session.get_bind().dialect.name == "sqlite":
        query = _fts5_query(q, workspace_id)
        if not query:
            return None
        rows = session.execute(
            text("SELECT rowid FROM message_fts WHERE message_fts MATCH :q ORDER BY rowid DESC LIMIT :n"),
            {"q": query, "n": SEARCH_WINDOW},
        )
        return [r[0] for r in rows]
    if not _WORD.search(q):
        return None
    stmt = (
        select(Message.id)
        .where(
            Message.workspace_id == workspace_id,
            func.to_tsvector("simple", Message.text).op("@@")(func.plainto_tsquery("simple", q)),
        )
        .order_by(Message.id.desc())
        .limit(SEARCH_WINDOW)
    )
    return list(session.scalars(stmt))
