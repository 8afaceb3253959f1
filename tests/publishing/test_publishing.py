from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.conftest import login

from tending.auth.models import User
from tending.channel.models import Channel
from tending.connectors.bases import ConnectorContext, RateLimited, SentItem
from tending.connectors.fake.connector import FakeConnector
from tending.inbox.models import Message
from tending.publishing import service
from tending.publishing.models import Post, PostCreate, PostStatus
from tending.workspace.scope import ForeignId

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
# Times sent through the API must lie ahead of the real clock (a time that has passed is refused).
SOON = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)


class CountingNetwork(FakeConnector):
    """Counts real publications per idempotency key, as a network would show them."""

    published: dict[str, int] = {}
    crash_after_call = False
    dedupes = True

    def __init__(self) -> None:
        # Publishing reads no file: any demo folder enables the connector.
        super().__init__(context=ConnectorContext(demo_dir=Path("demo")))

    def publish(self, *, text, idempotency_key, media_urls=None):
        if self.dedupes and idempotency_key in self.published:
            return super().publish(text=text, idempotency_key=idempotency_key)
        self.published[idempotency_key] = self.published.get(idempotency_key, 0) + 1
        sent = super().publish(text=text, idempotency_key=idempotency_key)
        if self.crash_after_call:
            raise SystemExit("worker killed after the network call")
        return sent


@pytest.fixture()
def net():
    CountingNetwork.published = {}
    CountingNetwork.crash_after_call = False
    CountingNetwork.dedupes = True
    CountingNetwork.idempotent_publish = True
    return CountingNetwork


def _scheduled_post(session, world) -> Post:
    member = session.get(User, world.member.id)
    post = service.create_draft(
        session,
        workspace_id=world.workspace.id,
        author=member,
        post_in=PostCreate(channel_id=world.channel.id, text="Fresh roast Friday ☕", scheduled_at=NOW),
        now=NOW,
    )
    service.approve(session, post=post, approver=member, now=NOW)
    session.commit()
    return post


def test_publishes_once_and_records_network_id(session, settings, world, net) -> None:
    post = _scheduled_post(session, world)
    first = service.publish(
        session, settings=settings, post_id=post.id, now=NOW, connector_factory=lambda c: net()
    )
    again = service.publish(
        session, settings=settings, post_id=post.id, now=NOW, connector_factory=lambda c: net()
    )
    assert first.status == "published" and again.status == "published"
    assert sum(net.published.values()) == 1
    session.refresh(post)
    assert post.external_id.startswith("fake-post-") and post.attempts == 1
    # the published post joins the inbox as the brand's outbound post
    assert session.scalar(select(func.count(Message.id)).where(Message.external_id == post.external_id)) == 1


def test_racing_workers_claim_once(session, factory, world, net) -> None:
    post = _scheduled_post(session, world)
    with factory() as a, factory() as b:
        assert [service.claim(a, post_id=post.id, now=NOW), service.claim(b, post_id=post.id, now=NOW)].count(
            True
        ) == 1


def test_crash_after_network_call_is_retried_only_where_network_dedupes(
    session, settings, world, net
) -> None:
    post = _scheduled_post(session, world)
    net.crash_after_call = True
    with pytest.raises(SystemExit):
        service.publish(
            session, settings=settings, post_id=post.id, now=NOW, connector_factory=lambda c: net()
        )
    session.rollback()
    session.refresh(post)
    assert post.status == "publishing" and post.external_id is None
    net.crash_after_call = False
    later = NOW + timedelta(minutes=15)
    assert service.sweep_stale_claims(
        session, settings=settings, now=later, connector_factory=lambda c: net()
    ) == [post.id]
    out = service.publish(
        session, settings=settings, post_id=post.id, now=later, connector_factory=lambda c: net()
    )
    assert out.status == "published"
    assert net.published == {post.idempotency_key: 1}  # one post on the network, whatever happened


def test_crash_without_network_dedupe_asks_a_person(session, settings, world, net) -> None:
    post = _scheduled_post(session, world)
    net.crash_after_call = True
    net.idempotent_publish = False
    with pytest.raises(SystemExit):
        service.publish(
            session, settings=settings, post_id=post.id, now=NOW, connector_factory=lambda c: net()
        )
    session.rollback()
    service.sweep_stale_claims(
        session, settings=settings, now=NOW + timedelta(minutes=15), connector_factory=lambda c: net()
    )
    session.refresh(post)
    assert post.status == PostStatus.needs_check.value and "check the channel" in post.last_error
    assert service.due_post_ids(session, now=NOW + timedelta(hours=1)) == []


def test_rate_limit_backs_off_then_fails_clearly(session, settings, world, net) -> None:
    post = _scheduled_post(session, world)

    class Limited(FakeConnector):
        def publish(self, *, text, idempotency_key, media_urls=None) -> SentItem:
            raise RateLimited("slow down", retry_after=120, network="fake")

    out = service.publish(
        session, settings=settings, post_id=post.id, now=NOW, connector_factory=lambda c: Limited()
    )
    assert out.status == "scheduled" and out.retry_at == NOW + timedelta(seconds=120)
    assert service.due_post_ids(session, now=NOW + timedelta(seconds=60)) == []
    assert service.due_post_ids(session, now=NOW + timedelta(seconds=121)) == [post.id]
    t = NOW
    for _ in range(service.MAX_ATTEMPTS - 1):
        t += timedelta(hours=7)
        out = service.publish(
            session, settings=settings, post_id=post.id, now=t, connector_factory=lambda c: Limited()
        )
    assert out.status == "failed" and "gave up after" in out.error


def test_agency_drafts_brand_approves_with_audit(client, world, factory) -> None:
    ws = world.workspace.id
    login(client, "ada@agency.test")
    made = client.post(
        f"/api/v1/workspaces/{ws}/posts",
        json={
            "channel_id": world.channel.id,
            "text": "Autumn blend is here",
            "scheduled_at": SOON.isoformat(),
        },
    ).json()
    assert made["status"] == "draft"
    assert client.post(f"/api/v1/workspaces/{ws}/posts/{made['id']}/approve").status_code == 403
    assert (
        client.post(f"/api/v1/workspaces/{ws}/posts/{made['id']}/submit").json()["status"]
        == "pending_approval"
    )
    client.cookies.clear()
    login(client, "mia@acme.test")
    back = client.post(
        f"/api/v1/workspaces/{ws}/posts/{made['id']}/send-back", json={"comment": "Add the price"}
    )
    assert back.json()["status"] == "changes_requested" and back.json()["review_comment"] == "Add the price"
    client.cookies.clear()
    login(client, "ada@agency.test")
    edited = client.patch(f"/api/v1/workspaces/{ws}/posts/{made['id']}", json={"text": "Autumn blend, €12"})
    assert edited.json()["text"] == "Autumn blend, €12"
    client.post(f"/api/v1/workspaces/{ws}/posts/{made['id']}/submit")
    client.cookies.clear()
    login(client, "mia@acme.test")
    approved = client.post(f"/api/v1/workspaces/{ws}/posts/{made['id']}/approve").json()
    assert approved["status"] == "scheduled" and approved["approver_id"] == world.member.id
    cal = client.get(
        f"/api/v1/workspaces/{ws}/posts",
        params={
            "start": (SOON - timedelta(days=1)).isoformat(),
            "end": (SOON + timedelta(days=6)).isoformat(),
        },
    ).json()
    assert [p["id"] for p in cal] == [made["id"]]
    actions = [
        a["action"]
        for a in client.get(f"/api/v1/workspaces/{ws}/audit", params={"target_type": "post"}).json()
    ]
    assert actions == [
        "post.approve",
        "post.submit",
        "post.edit",
        "post.send_back",
        "post.submit",
        "post.draft",
    ]
    # an outsider agency cannot even see it
    client.cookies.clear()
    login(client, "otto@agency.test")
    assert client.post(f"/api/v1/workspaces/{ws}/posts/{made['id']}/submit").status_code == 404


def test_channel_of_another_workspace_refused(session, world) -> None:
    member = session.get(User, world.member.id)
    with pytest.raises(ForeignId, match="channel_id"):
        service.create_draft(
            session,
            workspace_id=world.workspace.id,
            author=member,
            post_in=PostCreate(channel_id=world.other_channel.id, text="x"),
        )
    assert session.get(Channel, world.other_channel.id) is not None
