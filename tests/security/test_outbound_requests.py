"""Server-side request forgery, end to end: a member's feed channel and an admin's webhook cannot make
the server call its own network; what they see never tells an open port from a closed one; the
`outbound_allow` setting opens a listed private host."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import login
from tests.local_http import free_port, serving

from tending.app import create_app
from tending.channel.models import Channel, ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.connectors import http as outbound
from tending.inbox.models import Message
from tending.ingest.poll import poll_channel
from tending.sla.models import AlertDestination, DestinationKind
from tending.sla.notify import Notice, deliver
from tending.sla.targets import seal_target

LITERALS = [
    "http://127.0.0.1:8101/feed",
    "http://10.20.30.40/feed",
    "http://[::1]:8101/feed",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://localhost:8101/feed",
]


@pytest.fixture()
def internal_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """`*.internal.example` and `*.corp.example` resolve to loopback, as an intranet name would."""
    real = outbound.resolve

    def fake(host: str, port: int) -> list[str]:
        if host.endswith((".internal.example", ".corp.example")):
            return ["127.0.0.1"]
        return real(host, port)

    monkeypatch.setattr(outbound, "resolve", fake)


def _rss_channel(factory: sessionmaker[Session], settings: Settings, workspace_id: int, url: str) -> int:
    with factory() as s:
        ch = create_channel(
            s,
            settings=settings,
            workspace_id=workspace_id,
            channel_in=ChannelCreate(network="rss", name="Blog", external_id=url, config={"feed_url": url}),
        )
        s.commit()
        return ch.id


def _poll(factory: sessionmaker[Session], settings: Settings, channel_id: int) -> tuple[str | None, int]:
    poll_channel(factory, settings=settings, channel_id=channel_id)
    with factory() as s:
        ch = s.get(Channel, channel_id)
        assert ch is not None
        stored = s.scalar(select(func.count()).select_from(Message).where(Message.channel_id == channel_id))
        return ch.last_error, int(stored or 0)


def test_member_cannot_create_a_feed_channel_on_a_local_address_unless_allowed(
    settings: Settings, engine, world
) -> None:
    base = f"/api/v1/workspaces/{world.workspace.id}/channels"

    def connect(c: TestClient, url: str) -> Response:
        body = {"network": "rss", "name": "Blog", "external_id": url, "config": {"feed_url": url}}
        return c.post(base, json=body)

    with TestClient(create_app(settings)) as c:
        login(c, "mia@acme.test")
        for url in LITERALS:
            r = connect(c, url)
            assert r.status_code == 400 and "config.feed_url: this address" in r.json()["detail"], url
        assert [ch["network"] for ch in c.get(base).json()] == ["fake"]
    # The install's allow-list reaches the API: a listed network is accepted.
    with TestClient(create_app(settings.model_copy(update={"outbound_allow": ["10.20.0.0/16"]}))) as c:
        login(c, "mia@acme.test")
        assert connect(c, "http://10.20.30.40/feed").status_code == 201
        assert connect(c, "http://10.21.0.1/feed").status_code == 400


def test_polling_a_feed_whose_name_resolves_to_loopback_reads_nothing_and_says_one_thing(
    factory, settings: Settings, world, internal_dns
) -> None:
    closed = free_port()
    with serving("127.0.0.1") as server:
        open_url = server.url(host="blog.internal.example")
        closed_url = f"http://blog.internal.example:{closed}/feed"
        open_error, open_stored = _poll(
            factory, settings, _rss_channel(factory, settings, world.workspace.id, open_url)
        )
        closed_error, _ = _poll(
            factory, settings, _rss_channel(factory, settings, world.workspace.id, closed_url)
        )
        assert server.paths == [] and open_stored == 0
    assert open_error is not None and closed_error is not None
    assert open_error.replace(open_url, "<url>") == closed_error.replace(closed_url, "<url>")
    assert outbound.UNREACHABLE in open_error


def test_the_allow_list_opens_a_listed_private_feed(factory, settings: Settings, world, internal_dns) -> None:
    allowed = settings.model_copy(update={"outbound_allow": ["blog.corp.example"]})
    with serving("127.0.0.1") as server:
        channel_id = _rss_channel(factory, allowed, world.workspace.id, server.url(host="blog.corp.example"))
        error, stored = _poll(factory, allowed, channel_id)
        assert (error, stored) == (None, 1) and server.paths == ["GET /feed"]
        # The same channel under an install without the entry is refused when it polls.
        error, _ = _poll(factory, settings, channel_id)
        assert error is not None and outbound.UNREACHABLE in error and server.paths == ["GET /feed"]


def test_webhooks_to_the_servers_network_are_not_sent_unless_allowed(
    session, settings: Settings, world, internal_dns
) -> None:
    with serving("127.0.0.1") as server:
        targets = [server.url("/hook", host="hooks.internal.example"), f"http://127.0.0.1:{free_port()}/hook"]
        dests = [
            AlertDestination(
                workspace_id=world.workspace.id,
                kind=kind,
                target=seal_target(settings, kind=kind, target=target),
                active=True,
            )
            for kind, target in zip(
                [DestinationKind.webhook.value, DestinationKind.chat.value], targets, strict=True
            )
        ]
        session.add_all(dests)
        session.flush()
        notice = Notice(subject="SLA", text="late")
        out = deliver(session, workspace_id=world.workspace.id, notice=notice, settings=settings)
        assert [(d.ok, d.error) for d in out] == [(False, outbound.UNREACHABLE)] * 2
        assert server.paths == []
        allowed = settings.model_copy(update={"outbound_allow": ["127.0.0.0/8"]})
        out = deliver(session, workspace_id=world.workspace.id, notice=notice, settings=allowed)
        assert [d.ok for d in out] == [True, False] and server.paths == ["POST /hook"]


def test_admin_cannot_point_a_webhook_at_the_metadata_service(client, world) -> None:
    login(client, "admin@acme.test")
    base = f"/api/v1/workspaces/{world.workspace.id}/alert-destinations"
    r = client.post(base, json={"kind": "webhook", "target": "http://169.254.169.254/latest/meta-data/"})
    assert r.status_code == 400 and "target: this address" in r.json()["detail"]
    assert client.get(base).json() == []
