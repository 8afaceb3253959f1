"""The `fake` connector is for tests and the demo: a production install (no `demo_connectors`) neither
offers nor runs it, and where it is on it reads only regular files inside the demo folder, bounded."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import PASSWORD, demo_file, login
from tests.factories import jsonl, record

from tending.app import create_app
from tending.channel.models import Channel
from tending.config import Settings
from tending.connectors.fake import connector as fake
from tending.inbox.models import Message
from tending.ingest.poll import poll_channel


@pytest.fixture()
def production(settings: Settings) -> Settings:
    return settings.model_copy(update={"demo_connectors": False})


def _stored(factory: sessionmaker[Session], channel_id: int) -> int:
    with factory() as s:
        return int(
            s.scalar(select(func.count()).select_from(Message).where(Message.channel_id == channel_id)) or 0
        )


def _point(factory: sessionmaker[Session], channel_id: int, source: str) -> None:
    with factory() as s:
        ch = s.get(Channel, channel_id)
        assert ch is not None
        ch.config = {"source": source}
        ch.cursor = {}
        s.commit()


def test_production_neither_offers_nor_accepts_the_fake_connector(
    production: Settings, engine, world
) -> None:
    with TestClient(create_app(production)) as c:
        login(c, "mia@acme.test")
        r = c.post(
            f"/api/v1/workspaces/{world.workspace.id}/channels",
            json={"network": "fake", "name": "x", "external_id": "x", "config": {}},
        )
        assert r.status_code == 400 and "no connector for network 'fake'" in r.json()["detail"]
        del c.headers["X-CSRF-Token"]
        c.post("/api/v1/auth/logout")
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        c.post("/login", data={"email": "mia@acme.test", "password": PASSWORD, "csrf_token": token})
        page = c.get("/w/acme/channels")
        assert page.status_code == 200 and "<option>rss</option>" in page.text
        assert "<option>fake</option>" not in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = c.post(
            "/w/acme/channels", data={"network": "fake", "name": "x", "external_id": "y", "csrf_token": csrf}
        )
        assert r.status_code == 400


def test_production_refuses_to_poll_an_existing_fake_channel(
    factory, settings: Settings, production: Settings, world
) -> None:
    demo_file(settings, "feed.jsonl", jsonl([record(i) for i in range(5)]))
    _point(factory, world.channel.id, "feed.jsonl")
    out = poll_channel(factory, settings=production, channel_id=world.channel.id)
    assert out.error is not None and "disabled" in out.error
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert ch is not None and ch.status == "error" and "TENDING_DEMO_CONNECTORS" in (ch.last_error or "")
    assert _stored(factory, world.channel.id) == 0
    assert poll_channel(factory, settings=settings, channel_id=world.channel.id).stats.new == 5  # demo: fine


def test_sources_outside_the_demo_folder_are_refused_when_connecting(
    client, settings: Settings, world, tmp_path: Path
) -> None:
    outside = tmp_path / "other-workspace.jsonl"
    outside.write_text(jsonl([record(1)]))
    demo_file(settings, "ok.jsonl", "")
    (settings.demo_dir / "link.jsonl").symlink_to(outside)
    login(client, "mia@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}/channels"
    for source in [
        "/etc/passwd",
        "/dev/zero",
        str(outside),
        "../other-workspace.jsonl",
        "sub/../../x",
        "link.jsonl",
    ]:
        r = client.post(
            base, json={"network": "fake", "name": "x", "external_id": source, "config": {"source": source}}
        )
        assert r.status_code == 400 and "config.source" in r.json()["detail"], source
    for source in ["ok.jsonl", str(settings.demo_dir / "ok.jsonl")]:
        r = client.post(
            base, json={"network": "fake", "name": "x", "external_id": source, "config": {"source": source}}
        )
        assert r.status_code == 201, source


def test_at_poll_time_links_out_devices_and_oversized_files_are_refused(
    factory, settings: Settings, world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "secret.jsonl"
    outside.write_text(jsonl([record(i) for i in range(3)]))
    link = settings.demo_dir / "feed.jsonl"
    demo_file(settings, "feed.jsonl", "")
    _point(factory, world.channel.id, "feed.jsonl")  # accepted while it was a plain file
    link.unlink()
    link.symlink_to(outside)  # then swapped for a link out of the folder
    assert "inside the demo folder" in (
        poll_channel(factory, settings=settings, channel_id=world.channel.id).error or ""
    )
    assert _stored(factory, world.channel.id) == 0

    os.mkfifo(settings.demo_dir / "pipe.jsonl")
    _point(factory, world.channel.id, "pipe.jsonl")
    assert "not a regular file" in (
        poll_channel(factory, settings=settings, channel_id=world.channel.id).error or ""
    )

    monkeypatch.setattr(fake, "MAX_SOURCE_BYTES", 100)
    demo_file(settings, "big.jsonl", jsonl([record(i) for i in range(3)]))
    _point(factory, world.channel.id, "big.jsonl")
    assert "larger than 100 bytes" in (
        poll_channel(factory, settings=settings, channel_id=world.channel.id).error or ""
    )
    assert _stored(factory, world.channel.id) == 0
