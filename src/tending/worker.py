"""Background work with Huey: a SQLite queue in the embedded mode, Redis in the scaled mode.

The task code is the same in both modes; run consumers with `tending worker` on any number of machines.
Huey registers tasks on one queue object per process, which is why this module holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tending.config import Settings, get_settings
from tending.database.core import make_engine, make_session_factory


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey("tending", url=settings.redis_url, immediate=settings.queue_immediate, utc=True)
    if not settings.queue_immediate:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        "tending",
        filename=str(settings.data_dir / "queue.db"),
        immediate=settings.queue_immediate,
        utc=True,
    )


huey = make_huey(get_settings())


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]


@lru_cache(maxsize=1)
def runtime() -> Runtime:
    """The database handles of this worker process, made once on first use."""
    settings = get_settings()
    engine = make_engine(settings)
    return Runtime(settings=settings, engine=engine, session_factory=make_session_factory(engine))


def import_all_tasks() -> None:
    """Import every domain's `tasks` module so the consumer knows all tasks."""
    from tending.discovery import Declaration, import_declarations

    import_declarations(Declaration.tasks)
