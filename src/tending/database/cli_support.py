"""Database access for CLI commands: settings from the environment, migrations applied first."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tending.config import Settings, get_settings
from tending.database.core import make_engine, make_session_factory
from tending.database.migrate import upgrade


def open_database(settings: Settings | None = None, *, migrate: bool = True) -> sessionmaker[Session]:
    settings = settings or get_settings()
    engine = make_engine(settings)
    if migrate:
        upgrade(engine)
    return make_session_factory(engine)
