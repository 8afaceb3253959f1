"""Shared model pieces: primary keys and the registry of every table (for Alembic and create_all)."""

from __future__ import annotations

from typing import Annotated

from sqlalchemy.orm import mapped_column

PrimaryKey = Annotated[int, mapped_column(primary_key=True)]


def import_all_models() -> None:
    """Import every domain's models so that `Base.metadata` knows all tables."""
    import importlib
    import pkgutil

    import tending

    for mod in pkgutil.walk_packages(tending.__path__, "tending."):
        if mod.name.endswith(".models") and ".connectors." not in mod.name:
            importlib.import_module(mod.name)
