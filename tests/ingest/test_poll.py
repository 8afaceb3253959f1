from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import demo_file
from tests.factories import jsonl, record

from tending.alerts.models import AlertIncident, IncidentKind
from tending.channel.models import Channel, ChannelStatus
from tending.channel.service import set_credentials
from tending.config import Settings
from tending.database.core import utcnow
from tending.inbox.models import Message
from tending.ingest.poll import poll_channel
from tending.ingest.tasks import due_channel_ids


def _setup(
    factory: sessionmaker[Session], world, settings: Settings, fail: dict[str, str] | None = None
) -> None:
    src = demo_file(settings, "feed.jsonl", jsonl([record(i) for i in range(25)]))
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        ch.config = {"source": str(src), "page_size": 10, "fail": fail or {}}
        s.commit()


def test_poll_stores_pages_and_resumes_from_cursor(
    factory, world, settings: Settings, tmp_path: Path
) -> None:
    _setup(factory, world, settings)
    out = poll_channel(factory, settings=settings, channel_id=world.channel.id)
    assert (out.pages, out.stats.new, out.error) == (3, 25, None)
    again = poll_channel(factory, settings=settings, channel_id=world.channel.id)
    assert again.stats.new == 0
    with factory() as s:
        assert s.get(Channel, world.channel.id).cursor == {"offset": 25}


def test_rate_limit_keeps_earlier_pages_and_retries_later(
    factory, world, settings: Settings, tmp_path: Path
) -> None:
    _setup(factory, world, settings, fail={"1": "rate_limit"})
    out = poll_channel(factory, settings=settings, channel_id=world.channel.id)
    assert out.stats.new == 10 and out.retry_after == 30
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert ch.cursor == {"offset": 10} and ch.status == "active" and "slow down" in (ch.last_error or "")
        assert s.scalar(select(func.count(Message.id))) == 10
        ch.config = {**ch.config, "fail": {}}
        s.commit()
    out = poll_channel(factory, settings=settings, channel_id=world.channel.id)
    assert out.stats.new == 15


def test_expired_token_marks_the_channel_reconnect_needed_with_one_alert(
    factory, world, settings: Settings, tmp_path: Path
) -> None:
    _setup(factory, world, settings, fail={"0": "auth"})
    out = poll_channel(factory, settings=settings, channel_id=world.channel.id)
    assert out.retry_after is None and out.error and out.reconnect_needed
    again = poll_channel(factory, settings=settings, channel_id=world.channel.id)  # a manual poll
    assert again.reconnect_needed
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert ch.status == ChannelStatus.reconnect_needed and "token expired" in ch.last_error
        incidents = list(s.scalars(select(AlertIncident).where(AlertIncident.channel_id == ch.id)))
        assert [(i.kind, i.alert_count) for i in incidents] == [(IncidentKind.reconnect_needed, 1)]
        assert ch.id not in due_channel_ids(s, now=utcnow(), interval_s=0)  # polling waits
        set_credentials(s, settings=settings, channel=ch, credentials={"token": "fresh-token"})
        s.commit()
        assert ch.status == ChannelStatus.active and ch.id in due_channel_ids(s, now=utcnow(), interval_s=0)


def test_credentials_encrypted_at_rest(factory, world, settings: Settings) -> None:
    from tending.channel.crypto import decrypt_credentials

    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert "s3cret-token-value" not in (ch.credentials_encrypted or "")
        assert decrypt_credentials(settings, ch.credentials_encrypted) == {"token": "s3cret-token-value"}
