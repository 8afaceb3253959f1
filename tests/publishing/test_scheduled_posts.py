"""Scheduled posts: their time in the workspace's zone, edits and cancellation until a worker claims
them, past times refused; the calendar shows the brand's posts read from the network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login

from tending.audit.models import AuditEntry
from tending.auth.models import User
from tending.channel.models import Channel
from tending.connectors.bases.items import InboundItem
from tending.ingest.service import ingest_items
from tending.publishing import service
from tending.publishing.models import Post, PostCreate, PostStatus
from tending.workspace.models import Workspace

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _scheduled(session, world, *, at: datetime) -> Post:  # type: ignore[no-untyped-def]
    member = session.get(User, world.member.id)
    post = service.create_draft(
        session,
        workspace_id=world.workspace.id,
        author=member,
        post_in=PostCreate(channel_id=world.channel.id, text="Autumn blend is here", scheduled_at=at),
        now=NOW,
    )
    service.approve(session, post=post, approver=member, now=NOW)
    session.commit()
    return post


def test_a_time_that_has_passed_is_refused(session, world) -> None:
    member = session.get(User, world.member.id)
    with pytest.raises(service.PostRefused, match="has passed"):
        service.create_draft(
            session,
            workspace_id=world.workspace.id,
            author=member,
            post_in=PostCreate(channel_id=world.channel.id, text="x", scheduled_at=NOW - timedelta(hours=2)),
            now=NOW,
        )
    post = _scheduled(session, world, at=NOW + timedelta(days=1))
    with pytest.raises(service.PostRefused):
        service.edit(
            session, post=post, actor=member, text=None, scheduled_at=NOW - timedelta(days=1), now=NOW
        )


def test_api_and_page_refuse_a_past_time(client: TestClient, world) -> None:
    login(client, "mia@acme.test")
    ws = world.workspace.id
    past = datetime.now(UTC) - timedelta(days=1)
    api = client.post(
        f"/api/v1/workspaces/{ws}/posts",
        json={"channel_id": world.channel.id, "text": "x", "scheduled_at": past.isoformat()},
    )
    assert api.status_code == 400 and "has passed" in api.json()["detail"]
    page = client.post(
        "/w/acme/calendar/posts",
        data={
            "channel_id": str(world.channel.id),
            "text": "x",
            "scheduled_at": past.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert page.status_code == 400 and "has passed" in page.text and 'data-testid="error-page"' in page.text
    malformed = client.post(
        "/w/acme/calendar/posts",
        data={"channel_id": str(world.channel.id), "text": "x", "scheduled_at": "tomorrow at ten"},
    )
    assert malformed.status_code == 400


def test_scheduled_post_edits_stay_scheduled_for_approvers_and_go_back_for_agencies(session, world) -> None:
    post = _scheduled(session, world, at=NOW + timedelta(days=1))
    member = session.get(User, world.member.id)
    later = NOW + timedelta(days=2)
    service.edit(session, post=post, actor=member, text=None, scheduled_at=later, now=NOW)
    assert post.status == PostStatus.scheduled.value and post.scheduled_at == later
    agency = session.get(User, world.agency.id)
    service.edit(session, post=post, actor=agency, text="Autumn blend, €12", scheduled_at=None, now=NOW)
    assert post.status == PostStatus.pending_approval.value
    session.commit()
    edits = session.scalars(select(AuditEntry).where(AuditEntry.action == "post.edit")).all()
    assert [e.detail["changed"] for e in edits] == [["scheduled_at"], ["text"]]


def test_cancelled_post_never_goes_out(session, world) -> None:
    post = _scheduled(session, world, at=NOW + timedelta(hours=1))
    member = session.get(User, world.member.id)
    service.cancel(session, post=post, actor=member)
    session.commit()
    assert post.status == PostStatus.cancelled.value
    assert service.due_post_ids(session, now=NOW + timedelta(hours=2)) == []
    assert not service.claim(session, post_id=post.id, now=NOW + timedelta(hours=2))
    with pytest.raises(service.PublishingError):
        service.cancel(session, post=post, actor=member)


def test_api_cancel_and_conflict_once_published(client: TestClient, world, factory) -> None:
    login(client, "mia@acme.test")
    ws = world.workspace.id
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    made = client.post(
        f"/api/v1/workspaces/{ws}/posts",
        json={"channel_id": world.channel.id, "text": "x", "scheduled_at": soon},
    ).json()
    with factory() as s:
        post = s.get(Post, made["id"])
        assert post is not None
        post.status = PostStatus.published.value
        s.commit()
    assert client.post(f"/api/v1/workspaces/{ws}/posts/{made['id']}/cancel").status_code == 409
    other = client.post(
        f"/api/v1/workspaces/{ws}/posts",
        json={"channel_id": world.channel.id, "text": "y", "scheduled_at": soon},
    ).json()
    r = client.post(f"/api/v1/workspaces/{ws}/posts/{other['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_calendar_shows_times_in_the_workspace_zone_and_posts_read_from_the_network(
    client: TestClient, world, factory
) -> None:
    tz = "America/New_York"
    when = (datetime.now(UTC) + timedelta(days=1)).replace(hour=15, minute=30, second=0, microsecond=0)
    with factory() as s:
        ws = s.get(Workspace, world.workspace.id)
        assert ws is not None
        ws.timezone = tz
        member = s.get(User, world.member.id)
        post = service.create_draft(
            s,
            workspace_id=ws.id,
            author=member,
            post_in=PostCreate(channel_id=world.channel.id, text="Cold brew season", scheduled_at=when),
        )
        service.approve(s, post=post, approver=member)
        channel = s.get(Channel, world.channel.id)
        assert channel is not None
        ingest_items(
            s,
            channel=channel,
            items=[
                InboundItem(
                    external_id="brand-post-1",
                    kind="post",
                    text="Our roastery open day is on Saturday",
                    created_at=datetime.now(UTC) - timedelta(hours=1),
                    direction="outbound",
                )
            ],
        )
        s.commit()
    login(client, "mia@acme.test")
    page = client.get(f"/w/acme/calendar?day={when.date().isoformat()}").text
    local = when.astimezone(ZoneInfo(tz)).strftime("%H:%M")
    assert f"{local}</time>" in page and "Cold brew season" in page
    today = client.get("/w/acme/calendar").text
    assert "Our roastery open day" in today  # published on the network directly
    assert 'data-testid="channel-last-post"' in today and "last post today" in today


def test_approving_a_post_whose_time_has_passed_is_refused(session, world) -> None:
    member = session.get(User, world.member.id)
    post = service.create_draft(
        session,
        workspace_id=world.workspace.id,
        author=member,
        post_in=PostCreate(channel_id=world.channel.id, text="x", scheduled_at=NOW + timedelta(hours=1)),
        now=NOW,
    )
    with pytest.raises(service.PostRefused, match="planned time has passed"):
        service.approve(session, post=post, approver=member, now=NOW + timedelta(hours=3))
    assert post.status == PostStatus.draft.value
