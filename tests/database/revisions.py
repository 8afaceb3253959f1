"""Run one Alembic revision's upgrade or downgrade on an engine, to test what it does to real data."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine

VERSIONS = Path(__file__).parents[2] / "src/tending/database/migrations/versions"


def revision_module(revision_id: str) -> ModuleType:
    path = next(VERSIONS.glob(f"*_{revision_id}_*.py"))
    spec = importlib.util.spec_from_file_location(f"revision_{revision_id}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_revision(engine: Engine, revision_id: str, step: str) -> None:
    """`step` is "upgrade" or "downgrade"; it runs in one transaction, as Alembic would."""
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        getattr(revision_module(revision_id), step)()
