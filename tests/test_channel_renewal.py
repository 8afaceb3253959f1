"""Renewed credentials reach storage encrypted at once; the channel page warns before access runs out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import PASSWORD

from tending.channel.crypto import decrypt_credentials
from tending.channel.expiry import reconnect_notice
from tending.channel.models import Channel, ChannelCreate
from tending.channel.service import build_connector, create
from tending.config import Settings
from tending.connectors.bases.renewal import Renewing

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _linkedin(session: Session, settings: Settings, world, **credentials: str) -> Channel:
    channel = create(
        session,
        settings=settings,
        workspace_id=world.workspace.id,
        channel_in=ChannelCreate(
            network="linkedin",
            name="Acme on LinkedIn",
            external_id="2414183",
            config={"organization_id": "2414183"},
            credentials={"access_token": "AQV-old", **credentials},
        ),
    )
    session.commit()
    return channel


def test_renewed_credentials_are_committed_at_once_and_survive_a_rollback(
    factory: sessionmaker[Session], settings: Settings, world
) -> None:
    with factory() as session:
        channel = _linkedin(session, settings, world, refresh_token="r-1")
        connector = build_connector(channel, settings=settings)
        assert isinstance(connector, Renewing) and connector.credentials_sink is not None
        channel.name = "changed, then rolled back"
        connector.save_credentials({"access_token": "AQV-new", "refresh_token": "r-2"})
        session.rollback()  # the poll or reply that triggered the renewal failed afterwards
        channel_id = channel.id
    with factory() as session:
        stored = session.get(Channel, channel_id)
        assert stored is not None and stored.name == "Acme on LinkedIn"
        assert stored.credentials_encrypted is not None and "AQV-new" not in stored.credentials_encrypted
        assert decrypt_credentials(settings, stored.credentials_encrypted) == {
            "access_token": "AQV-new",
            "refresh_token": "r-2",
        }


def test_fake_connectors_renew_nothing(factory: sessionmaker[Session], settings: Settings, world) -> None:
    with factory() as session:
        channel = session.get(Channel, world.channel.id)
        assert channel is not None
        assert not isinstance(build_connector(channel, settings=settings), Renewing)
        assert reconnect_notice(channel, settings=settings, now=NOW) is None


def test_a_token_without_renewal_is_announced_14_days_ahead(
    factory: sessionmaker[Session], settings: Settings, world
) -> None:
    with factory() as session:
        soon = _linkedin(session, settings, world, expires_at=(NOW + timedelta(days=9, hours=3)).isoformat())
        assert reconnect_notice(soon, settings=settings, now=NOW) == (
            "Access expires in 9 days (10 Mar 2026): reconnect the channel before then."
        )
        assert reconnect_notice(soon, settings=settings, now=NOW - timedelta(days=6)) is None
        assert "expired on 10 Mar 2026" in str(
            reconnect_notice(soon, settings=settings, now=NOW + timedelta(days=10))
        )


def test_a_renewable_token_is_announced_before_its_refresh_token_ends(
    factory: sessionmaker[Session], settings: Settings, world
) -> None:
    with factory() as session:
        renewable = {"refresh_token": "r-1", "client_id": "cid", "client_secret": "cs"}
        ends = {"expires_at": NOW + timedelta(days=1), "refresh_token_expires_at": NOW + timedelta(days=200)}
        channel = _linkedin(
            session, settings, world, **renewable, **{k: v.isoformat() for k, v in ends.items()}
        )
        assert reconnect_notice(channel, settings=settings, now=NOW) is None  # the access renews itself
        late = NOW + timedelta(days=190)
        assert "expires in 10 days" in str(reconnect_notice(channel, settings=settings, now=late))


def test_the_channel_page_shows_the_dated_warning(
    client, factory: sessionmaker[Session], settings: Settings, world
) -> None:
    with factory() as session:
        channel = _linkedin(
            session,
            settings,
            world,
            expires_at=(datetime.now(UTC) + timedelta(days=5, hours=1)).isoformat(),
        )
        channel_id = channel.id
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post("/login", data={"email": "mia@acme.test", "password": PASSWORD, "csrf_token": token.group(1)})
    page = client.get("/w/acme/channels")
    assert f'data-testid="reconnect-notice-{channel_id}"' in page.text
    assert "expires in 5 days" in page.text and "AQV-old" not in page.text
