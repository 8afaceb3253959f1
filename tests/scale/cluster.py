"""A scaled-mode cluster on loopback for tests and the load bench: a fresh PostgreSQL database, a flushed
Redis database, and real `tending worker` / `tending serve` processes started as subprocesses.

Only processes started here are stopped here, each by its own process group id."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
SECRET = "scaled-mode-test-secret-key-0123456789"
# A shared database needs one credentials key on every process (`tending worker` refuses to start without).
CREDENTIALS_KEY = "bS2Pqzq4xVn9x3cCq0Xo9y2u1J6b8nE0Zk4WcR5tQ3M="


def pg_admin_url() -> str:
    return os.environ.get("TENDING_TEST_DATABASE_URL") or DEFAULT_PG


def redis_base_url() -> str:
    url = os.environ.get("TENDING_TEST_REDIS_URL") or DEFAULT_REDIS
    return url.rsplit("/", 1)[0] if url.count("/") > 2 else url


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def unavailable_reason() -> str | None:
    """Why the scaled mode cannot run here, or None when PostgreSQL and Redis both answer."""
    pg = make_url(pg_admin_url())
    if not _reachable(pg.host or "127.0.0.1", pg.port or 5432):
        return f"PostgreSQL unreachable at {pg.host}:{pg.port} (set TENDING_TEST_DATABASE_URL)"
    r = redis_base_url().split("//", 1)[1].split(":")
    if not _reachable(r[0], int(r[1]) if len(r) > 1 else 6379):
        return f"Redis unreachable at {redis_base_url()} (set TENDING_TEST_REDIS_URL)"
    try:
        import redis

        redis.Redis.from_url(redis_base_url() + "/0").ping()
    except Exception as exc:
        return f"Redis does not answer: {exc}"
    return None


@dataclass
class Cluster:
    """One fresh database and queue; processes are added with `start_worker` / `start_server`."""

    database_url: str
    redis_url: str
    data_dir: Path
    engine: Engine
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        for key in list(env):
            if key.startswith("TENDING_"):
                del env[key]
        env.update(
            TENDING_DATABASE_URL=self.database_url,
            TENDING_REDIS_URL=self.redis_url,
            TENDING_DATA_DIR=str(self.data_dir),
            TENDING_SECRET_KEY=SECRET,
            TENDING_CREDENTIALS_KEY=CREDENTIALS_KEY,
            TENDING_QUEUE_IMMEDIATE="false",
            TENDING_LOG_LEVEL="WARNING",
            TENDING_DEMO_CONNECTORS="true",  # the channels below are `fake` ones reading <data>/demo
            PYTHONPATH=str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", ""),
        )
        env.update(extra)
        return env

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        log = self.data_dir / f"{name}-{len(self.procs)}.log"
        self.logs.append(log)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tending", *args],
            env=self.env(),
            cwd=REPO,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def start_worker(self, threads: int = 2) -> subprocess.Popen[bytes]:
        return self._spawn(["worker", "--workers", str(threads)], "worker")

    def start_server(self, port: int) -> subprocess.Popen[bytes]:
        return self._spawn(["serve", "--no-migrate", "--port", str(port)], "web")

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def huey(self) -> Any:
        from huey import RedisHuey

        return RedisHuey("tending", url=self.redis_url, utc=True)

    def log_tail(self, chars: int = 3000) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-chars:]}" for p in self.logs if p.exists()
        )

    def close(self) -> None:
        for proc in self.procs:
            self.kill(proc, signal.SIGTERM)
        self.engine.dispose()
        admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
        name = make_url(self.database_url).database
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_cluster(redis_db: int) -> Cluster:
    """A fresh PostgreSQL database with tending's schema and an emptied Redis database."""
    import redis

    from tending.database.core import Base
    from tending.inbox.search import create_search_index
    from tending.models import import_all_models

    import_all_models()
    name = f"tending_scale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url, pool_pre_ping=True)
    Base.metadata.create_all(engine)
    create_search_index(engine)
    redis_url = f"{redis_base_url()}/{redis_db}"
    redis.Redis.from_url(redis_url).flushdb()
    data_dir = Path(tempfile.mkdtemp(prefix="tending-scale-"))
    return Cluster(database_url=url, redis_url=redis_url, data_dir=data_dir, engine=engine)


def cluster_marks() -> list[pytest.MarkDecorator]:
    """The marks of a module whose tests need the cluster: skipped, with the reason, where it cannot run."""
    reason = unavailable_reason()
    return [
        pytest.mark.postgres,
        pytest.mark.redis,
        pytest.mark.skipif(reason is not None, reason=str(reason)),
    ]


def cluster_fixture(redis_db: int) -> Any:
    """A `cluster` fixture on its own Redis database (one per test module, so modules never share a queue)."""

    @pytest.fixture()
    def cluster() -> Iterator[Cluster]:
        c = make_cluster(redis_db)
        try:
            yield c
        finally:
            c.close()

    return cluster


def wait_until(check: Callable[[], bool], *, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


@dataclass
class Seeded:
    workspace_id: int
    user_id: int
    channel_ids: list[int]
    post_ids: list[int]
    messages_per_channel: int


def seed(
    cluster: Cluster,
    *,
    channels: int,
    messages_per_channel: int,
    page_size: int,
    posts: int = 0,
    feed_dir: Path | None = None,
) -> Seeded:
    """A workspace with fake channels serving JSONL feeds, and `posts` approved posts already due."""
    from datetime import UTC, datetime, timedelta

    import orjson

    from tending.auth.models import Role, User, UserCreate
    from tending.auth.service import create_user
    from tending.channel.models import ChannelCreate
    from tending.channel.service import create as create_channel
    from tending.config import Settings
    from tending.database.core import make_session_factory
    from tending.publishing import service as publishing
    from tending.publishing.models import PostCreate
    from tending.workspace.models import WorkspaceCreate
    from tending.workspace.service import create as create_workspace

    settings = Settings(
        database_url=cluster.database_url,
        secret_key=SECRET,
        credentials_key=CREDENTIALS_KEY,
        data_dir=cluster.data_dir,
        demo_connectors=True,
    )
    feed_dir = feed_dir or settings.demo_dir
    feed_dir.mkdir(parents=True, exist_ok=True)
    base = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    factory = make_session_factory(cluster.engine)
    tag = uuid.uuid4().hex[:6]
    with factory() as s:
        ws = create_workspace(s, workspace_in=WorkspaceCreate(name="Scaled Brand", slug=f"scaled{tag}"))
        user = create_user(
            s,
            user_in=UserCreate(
                email=f"ops-{tag}@scaled.test", name="Ops", password="correct horse battery", role=Role.member
            ),
            workspace_ids=[ws.id],
        )
        channel_ids = []
        for c in range(channels):
            src = feed_dir / f"feed-{tag}-{c}.jsonl"
            with src.open("wb") as fh:
                for i in range(messages_per_channel):
                    fh.write(
                        orjson.dumps(
                            {
                                "id": f"c{c}-m{i}",
                                "text": f"message {i} on channel {c}: is the espresso blend back?",
                                "created_at": (base + timedelta(seconds=i)).isoformat(),
                                "thread_id": f"t{i % 50}",
                                "author": {"id": f"u{i % 97}", "handle": f"user{i % 97}"},
                            }
                        )
                        + b"\n"
                    )
            ch = create_channel(
                s,
                settings=settings,
                workspace_id=ws.id,
                channel_in=ChannelCreate(
                    network="fake",
                    name=f"Fake {c}",
                    external_id=f"fake-{c}-{uuid.uuid4().hex[:6]}",
                    config={"source": str(src), "page_size": page_size},
                ),
            )
            channel_ids.append(ch.id)
        s.commit()
        member = s.get(User, user.id)
        assert member is not None
        post_ids = []
        now = datetime.now(UTC) - timedelta(minutes=1)
        for p in range(posts):
            post = publishing.create_draft(
                s,
                workspace_id=ws.id,
                author=member,
                post_in=PostCreate(
                    channel_id=channel_ids[p % channels], text=f"Scheduled post {p}", scheduled_at=now
                ),
                now=now,
            )
            publishing.approve(s, post=post, approver=member, now=now)
            post_ids.append(post.id)
        s.commit()
    return Seeded(ws.id, user.id, channel_ids, post_ids, messages_per_channel)


def enqueue_polls(cluster: Cluster, channel_ids: list[int], times: int = 1) -> None:
    """Queue polls the way `poll_due_channels` does, through Redis."""
    import tending.ingest.tasks as tasks

    h = cluster.huey()
    poll = h.task(retries=8, retry_delay=1)(tasks.poll_channel_task.func)
    for _ in range(times):
        for cid in channel_ids:
            poll(cid)


def enqueue_publishes(cluster: Cluster, post_ids: list[int], times: int = 1) -> None:
    import tending.publishing.tasks as tasks

    h = cluster.huey()
    publish = h.task()(tasks.publish_post_task.func)
    for _ in range(times):
        for pid in post_ids:
            publish(pid)


def message_counts(cluster: Cluster) -> tuple[int, int]:
    """Stored inbound messages, and distinct (channel, network id) pairs among them."""
    with cluster.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT (channel_id, external_id)) FROM message "
                "WHERE direction = 'inbound'"
            )
        ).one()
    return int(row[0]), int(row[1])
