"""Shared model pieces: primary keys and the registry of every table (for Alembic and create_all)."""

from __future__ import annotations

from typing import Annotated

from sqlalchemy.orm import mapped_column

PrimaryKey = Annotated[int, mapped_column(primary_key=True)]


def import_all_models() -> None:
    """Import every domain's models so that `Base.metadata` knows all tables."""
    from tending.discovery import Declaration, import_declarations

    import_declarations(Declaration.models)
