"""Alembic environment: the URL and the metadata come from tending itself, not from an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tending.database.core import Base
from tending.models import import_all_models

import_all_models()
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connectable = context.config.attributes.get("connection")
if connectable is None:
    from tending.config import get_settings
    from tending.database.core import make_engine

    engine = make_engine(get_settings())
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
else:
    _run(connectable)
