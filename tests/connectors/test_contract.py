"""The connector contract, written once and run against every registered connector (by capability):
refused credentials, rate limits with Retry-After in both forms, network failures and unreadable answers
map to the same errors everywhere; a publish whose answer is lost ends with exactly one post on the
network, whatever way it was lost; and direct messages are read as one private conversation per person
and answered privately. Each network is recorded in `contract_networks`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from contract_networks import LOST_ANSWERS, NETWORKS, RecordedNetwork, Reply
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tending.auth.models import User
from tending.channel.models import Channel
from tending.config import Settings
from tending.connectors.bases import (
    AuthExpired,
    Connector,
    ListenCapability,
    MalformedResponse,
    PublishCapability,
    RateLimited,
    ReplyCapability,
    UpstreamError,
    can_check_published,
)
from tending.connectors.bases.messages import DIRECT_KIND, DirectMessageCapability
from tending.connectors.registry import available
from tending.inbox.models import Conversation, ConversationKind, Message
from tending.ingest.service import ingest_items
from tending.publishing import service
from tending.publishing.models import Post, PostCreate, PostStatus

REGISTERED = {name: cls for name, cls in available().items() if not cls.demo_only}
LISTENERS = sorted(name for name, cls in REGISTERED.items() if issubclass(cls, ListenCapability))
REPLIERS = sorted(name for name, cls in REGISTERED.items() if issubclass(cls, ReplyCapability))
PUBLISHERS = sorted(name for name, cls in REGISTERED.items() if issubclass(cls, PublishCapability))
MESSENGERS = sorted(name for name, cls in REGISTERED.items() if issubclass(cls, DirectMessageCapability))
TEXT = "Fresh roast Friday: the summer blend is back"
IMAGE = "https://cdn.example/roast.jpg"


def test_every_registered_connector_has_a_recorded_network() -> None:
    """A new connector joins the contract by recording its network; none is left out silently."""
    assert set(REGISTERED) == set(NETWORKS)
    assert {"mastodon", "x", "reddit", "facebook", "instagram", "linkedin", "bluesky"} <= set(PUBLISHERS)


# The streams a connector reads: its public listening, and its direct messages where it declares them.
STREAMS = [(slug, "public") for slug in LISTENERS] + [(slug, "direct") for slug in MESSENGERS]


def _reader(network: RecordedNetwork, stream: str) -> tuple[Connector, Callable[[dict[str, Any]], Any]]:
    """The connector that reads `stream` from the recorded network, and its read call."""
    if stream == "direct":
        messenger = network.direct_connector()
        assert isinstance(messenger, DirectMessageCapability)
        return messenger, messenger.fetch_direct
    listener = network.connector()
    assert isinstance(listener, ListenCapability)
    return listener, listener.fetch_since


def _read(network: RecordedNetwork, stream: str = "public") -> Any:
    """The first page of one stream."""
    connector, fetch = _reader(network, stream)
    try:
        with network.running():
            return fetch({})
    finally:
        connector.close()


def _fail(network: RecordedNetwork, stream: str, reply: Reply) -> None:
    """The stream's endpoint answers `reply` instead of its recorded page."""
    if stream == "direct":
        network.direct_error = reply
    else:
        network.listen_error = reply


# -- listening: the same failures read the same way on every network ---------------------------------


@pytest.mark.parametrize("slug", LISTENERS)
def test_first_poll_reads_the_recorded_page(slug: str) -> None:
    result = _read(NETWORKS[slug]())
    assert isinstance(result.cursor, dict) and result.cursor
    assert result.items, "the recorded first page has items"
    for item in result.items:
        assert item.external_id and item.created_at.tzinfo is not None


@pytest.mark.parametrize(("slug", "stream"), STREAMS)
def test_refused_credentials_ask_for_a_reconnect(slug: str, stream: str) -> None:
    network = NETWORKS[slug]()
    _fail(network, stream, network.unauthorized())
    with pytest.raises(AuthExpired) as caught:
        _read(network, stream)
    assert caught.value.network == slug and not caught.value.retryable


def _retry_after_value(form: str, seconds: int) -> str:
    if form == "seconds":
        return str(seconds)
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
@pytest.mark.parametrize(("slug", "stream"), STREAMS)
def test_rate_limit_carries_the_retry_after_wait(slug: str, stream: str, form: str) -> None:
    network = NETWORKS[slug]()
    _fail(
        network,
        stream,
        Reply(
            429,
            {"Retry-After": _retry_after_value(form, 120), "content-type": "application/json"},
            json.dumps({"error": "Too many requests"}).encode(),
        ),
    )
    with pytest.raises(RateLimited) as caught:
        _read(network, stream)
    assert 100 <= caught.value.retry_after <= 121 and caught.value.retryable


@pytest.mark.parametrize("slug", LISTENERS)
def test_server_errors_are_upstream_failures_to_retry(slug: str) -> None:
    network = NETWORKS[slug]()
    network.listen_error = Reply(503, {"content-type": "text/html"}, b"<html>Service Unavailable</html>")
    with pytest.raises(UpstreamError) as caught:
        _read(network)
    assert caught.value.retryable


@pytest.mark.parametrize("slug", LISTENERS)
def test_an_unreadable_answer_is_malformed_and_stores_nothing(slug: str) -> None:
    network = NETWORKS[slug]()
    network.listen_error = Reply(200, {"content-type": "application/json"}, b'{"truncated": ')
    with pytest.raises(MalformedResponse):
        _read(network)


# -- publishing: a lost answer never makes a second post -------------------------------------------------


def _scheduled(session: Session, world: Any, slug: str, now: datetime) -> Post:
    member = session.get(User, world.member.id)
    assert member is not None
    post_in = PostCreate(
        channel_id=world.channel.id,
        text=TEXT,
        media_urls=[IMAGE] if slug == "instagram" else [],
        scheduled_at=now,
    )
    post = service.create_draft(
        session, workspace_id=world.workspace.id, author=member, post_in=post_in, now=now
    )
    service.approve(session, post=post, approver=member, now=now)
    session.commit()
    return post


def _external_id(slug: str, stored: dict[str, Any]) -> str:
    if slug == "bluesky":
        return str(stored["uri"])
    if slug == "reddit":
        return str(stored["name"])
    return str(stored["id"])


def _factory(network: RecordedNetwork) -> Any:
    return lambda _channel: network.connector()


@pytest.mark.parametrize("lost", LOST_ANSWERS)
@pytest.mark.parametrize("slug", PUBLISHERS)
def test_a_publish_whose_answer_is_lost_ends_with_one_post(
    session: Session, settings: Settings, world: Any, slug: str, lost: str
) -> None:
    network = NETWORKS[slug]()
    now = datetime.now(UTC).replace(microsecond=0)
    post = _scheduled(session, world, slug, now)
    with network.running():
        network.lose_next_answer = lost
        first = service.publish(
            session, settings=settings, post_id=post.id, now=now, connector_factory=_factory(network)
        )
        assert first.status == PostStatus.scheduled and first.retry_at is not None, first
        assert len(network.posts) == 1  # the network applied it; we could not know
        again = service.publish(
            session,
            settings=settings,
            post_id=post.id,
            now=first.retry_at,
            connector_factory=_factory(network),
        )
    assert again.status == PostStatus.published, again
    assert len(network.posts) == 1
    session.refresh(post)
    assert post.external_id == _external_id(slug, network.posts[0])


@pytest.mark.parametrize("slug", PUBLISHERS)
def test_a_worker_killed_between_send_and_commit_leaves_one_post(
    session: Session, settings: Settings, world: Any, slug: str
) -> None:
    network = NETWORKS[slug]()
    now = datetime.now(UTC).replace(microsecond=0)
    post = _scheduled(session, world, slug, now)

    def dying(_channel: Any) -> Connector:
        connector = network.connector()
        assert isinstance(connector, PublishCapability)
        real = connector.publish

        def publish_then_die(**kwargs: Any) -> Any:
            real(**kwargs)
            raise SystemExit("worker killed after the network call")

        connector.publish = publish_then_die  # type: ignore[method-assign]
        return connector

    with network.running():
        with pytest.raises(SystemExit):
            service.publish(session, settings=settings, post_id=post.id, now=now, connector_factory=dying)
        session.rollback()
        assert can_check_published(network.connector())
        later = now + service.STALE_CLAIM + timedelta(minutes=1)
        swept = service.sweep_stale_claims(
            session, settings=settings, now=later, connector_factory=_factory(network)
        )
        assert swept == [post.id]
        again = service.publish(
            session, settings=settings, post_id=post.id, now=later, connector_factory=_factory(network)
        )
    assert again.status == PostStatus.published, again
    assert len(network.posts) == 1
    session.refresh(post)
    assert post.external_id == _external_id(slug, network.posts[0])


@pytest.mark.parametrize("slug", PUBLISHERS)
def test_a_plain_publish_posts_once(session: Session, settings: Settings, world: Any, slug: str) -> None:
    network = NETWORKS[slug]()
    now = datetime.now(UTC).replace(microsecond=0)
    post = _scheduled(session, world, slug, now)
    with network.running():
        done = service.publish(
            session, settings=settings, post_id=post.id, now=now, connector_factory=_factory(network)
        )
    assert done.status == PostStatus.published and len(network.posts) == 1


@pytest.mark.parametrize(("slug", "stream"), STREAMS)
def test_a_poll_resumed_over_a_duplicate_page_stores_nothing_twice(
    session: Session, world: Any, slug: str, stream: str
) -> None:
    """The network sends again the page already read: the poll resumes from the stored cursor, and
    whatever it returns again is recognised by ingestion (by network id) and not stored a second time."""
    network = NETWORKS[slug]()
    connector, fetch = _reader(network, stream)
    channel = session.get(Channel, world.channel.id)
    assert channel is not None
    try:
        with network.running():
            first = fetch({})
            stored = ingest_items(session, channel=channel, items=first.items)
            again = fetch(first.cursor)
            repeated = ingest_items(session, channel=channel, items=again.items)
    finally:
        connector.close()
    session.commit()
    assert stored.new == len({item.external_id for item in first.items}) > 0
    seen = {item.external_id for item in first.items}
    assert repeated.new == len({item.external_id for item in again.items} - seen)
    assert session.scalar(
        select(func.count()).select_from(Message).where(Message.channel_id == channel.id)
    ) == (stored.new + repeated.new)


def test_a_look_up_that_fails_waits_and_sends_nothing(
    session: Session, settings: Settings, world: Any
) -> None:
    """A post of unknown outcome is never sent blind: when the network cannot be asked, the retry waits."""
    network = NETWORKS["x"]()
    now = datetime.now(UTC).replace(microsecond=0)
    post = _scheduled(session, world, "x", now)

    def unreachable_look_up(_channel: Any) -> Connector:
        connector = network.connector()

        def fail(**_kwargs: Any) -> None:
            raise UpstreamError("own posts: network failure", network="x")

        connector.find_published = fail  # type: ignore[attr-defined]
        return connector

    with network.running():
        network.lose_next_answer = "timeout"
        first = service.publish(
            session, settings=settings, post_id=post.id, now=now, connector_factory=_factory(network)
        )
        assert first.retry_at is not None
        blind = service.publish(
            session,
            settings=settings,
            post_id=post.id,
            now=first.retry_at,
            connector_factory=unreachable_look_up,
        )
        assert blind.status == PostStatus.scheduled and blind.retry_at is not None and len(network.posts) == 1
        done = service.publish(
            session,
            settings=settings,
            post_id=post.id,
            now=blind.retry_at,
            connector_factory=_factory(network),
        )
    assert done.status == PostStatus.published and len(network.posts) == 1


@pytest.mark.parametrize("slug", REPLIERS)
def test_a_reply_is_sent_once_and_its_id_kept(slug: str) -> None:
    network = NETWORKS[slug]()
    assert network.reply_parent, "every connector that replies has a recorded item to answer"
    connector = network.connector()
    assert isinstance(connector, ReplyCapability)
    try:
        with network.running():
            sent = connector.reply(parent_external_id=network.reply_parent, text="Thanks, we are on it!")
    finally:
        connector.close()
    assert sent.external_id and sent.created_at.tzinfo is not None
    assert len(network.posts) == 1


# -- direct messages: private conversations in, private answers out ------------------------------------


def test_every_connector_with_direct_messages_has_recorded_ones() -> None:
    """A connector that declares direct messages joins this part of the contract by recording its DM
    endpoints; none is left out silently."""
    recorded = {slug for slug, network in NETWORKS.items() if network().direct_parent}
    assert recorded == set(MESSENGERS)
    assert {"facebook", "instagram", "x", "bluesky", "reddit", "mastodon"} <= set(MESSENGERS)


@pytest.mark.parametrize("slug", MESSENGERS)
def test_a_first_direct_poll_stores_one_private_conversation_per_person(
    session: Session, world: Any, slug: str
) -> None:
    result = _read(NETWORKS[slug](), "direct")
    assert result.items, "the recorded DM page has messages"
    assert {item.kind for item in result.items} == {DIRECT_KIND}
    people: dict[str, set[str | None]] = {}
    for item in result.items:
        assert item.thread_external_id and item.thread_external_id.startswith("conversation:")
        if item.direction == "inbound":
            assert item.author is not None
            people.setdefault(item.author.external_id, set()).add(item.thread_external_id)
    assert people and all(len(threads) == 1 for threads in people.values()), people
    threads = {item.thread_external_id for item in result.items}
    assert len(threads) == len(people)  # no thread of two people, no person in two threads

    channel = session.get(Channel, world.channel.id)
    assert channel is not None
    stored = ingest_items(session, channel=channel, items=result.items)
    session.commit()
    assert stored.new == len({item.external_id for item in result.items})
    kinds = session.scalars(select(Message.kind).where(Message.channel_id == channel.id)).all()
    assert sorted(kinds) == [DIRECT_KIND] * stored.new
    conversations = session.scalars(select(Conversation).where(Conversation.channel_id == channel.id)).all()
    assert len(conversations) == len(people)
    assert {c.kind for c in conversations} == {ConversationKind.direct.value}


@pytest.mark.parametrize("slug", MESSENGERS)
def test_an_answer_to_a_direct_message_goes_back_privately_once(slug: str) -> None:
    network = NETWORKS[slug]()
    assert network.direct_parent and network.direct_recipient
    connector, _fetch = _reader(network, "direct")
    assert isinstance(connector, DirectMessageCapability)
    try:
        with network.running():
            sent = connector.reply(
                parent_external_id=network.direct_parent, text="So sorry, a new one ships today"
            )
    finally:
        connector.close()
    assert sent.external_id and sent.created_at.tzinfo is not None
    assert [message["to"] for message in network.direct_sent] == [network.direct_recipient]
    assert "So sorry, a new one ships today" in network.direct_sent[0]["text"]
    assert network.posts == [], "nothing was posted in public"
