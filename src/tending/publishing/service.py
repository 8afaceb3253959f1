"""Drafting, approval and exactly-once publishing of posts.

Exactly once: a worker first *claims* a post with a conditional UPDATE (only one claim can succeed),
then calls the network with the post's idempotency key, then records the returned id. If it dies between
the call and the record, the post stays `publishing`; the sweep retries it only through connectors whose
network honours idempotency keys (the same key returns the same post), and otherwise marks it
`needs_check` so a person looks at the channel first. Nothing is ever posted twice by a retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.auth.models import Role, User
from tending.channel.models import Channel
from tending.channel.service import build_connector
from tending.config import Settings
from tending.connectors.bases import (
    AuthExpired,
    Connector,
    ConnectorError,
    InboundItem,
    NotPermitted,
    PublishCapability,
    RateLimited,
)
from tending.database.core import utcnow
from tending.ingest.service import ingest_items
from tending.publishing.models import Post, PostCreate, PostStatus
from tending.workspace.scope import Scoped, require_own

MAX_ATTEMPTS = 6
STALE_CLAIM = timedelta(minutes=10)
EDITABLE = {PostStatus.draft.value, PostStatus.changes_requested.value}


class PublishingError(RuntimeError):
    pass


def can_approve(user: User) -> bool:
    """Agency accounts draft; the brand's own people (members and admins) approve."""
    return user.role in {Role.admin.value, Role.member.value}


def create_draft(session: Session, *, workspace_id: int, author: User, post_in: PostCreate) -> Post:
    """A draft post; its channel and campaign must be the workspace's (ForeignId otherwise)."""
    require_own(
        session, workspace_id=workspace_id, kind=Scoped.channel, field="channel_id", ids=post_in.channel_id
    )
    require_own(
        session, workspace_id=workspace_id, kind=Scoped.campaign, field="campaign_id", ids=post_in.campaign_id
    )
    post = Post(
        workspace_id=workspace_id,
        channel_id=post_in.channel_id,
        campaign_id=post_in.campaign_id,
        text=post_in.text,
        media_urls=list(post_in.media_urls),
        scheduled_at=post_in.scheduled_at,
        author_id=author.id,
        status=PostStatus.draft.value,
    )
    session.add(post)
    session.flush()
    record(
        session,
        workspace_id=workspace_id,
        actor_id=author.id,
        action="post.draft",
        target_type="post",
        target_id=post.id,
    )
    return post


def edit(
    session: Session, *, post: Post, actor: User, text: str | None, scheduled_at: datetime | None
) -> Post:
    if post.status not in EDITABLE:
        raise PublishingError(f"a {post.status} post cannot be edited; send it back first")
    if text is not None:
        post.text = text
    if scheduled_at is not None:
        post.scheduled_at = scheduled_at
    record(
        session,
        workspace_id=post.workspace_id,
        actor_id=actor.id,
        action="post.edit",
        target_type="post",
        target_id=post.id,
    )
    return post


def submit(session: Session, *, post: Post, actor: User) -> Post:
    if post.status not in EDITABLE:
        raise PublishingError(f"only drafts can be submitted (this one is {post.status})")
    post.status = PostStatus.pending_approval.value
    record(
        session,
        workspace_id=post.workspace_id,
        actor_id=actor.id,
        action="post.submit",
        target_type="post",
        target_id=post.id,
    )
    return post


def approve(session: Session, *, post: Post, approver: User, now: datetime | None = None) -> Post:
    """Approve and schedule (or queue for now). Drafts of approvers may be approved directly."""
    if not can_approve(approver):
        raise PublishingError("your role drafts posts; a brand member approves them")
    allowed = {PostStatus.pending_approval.value}
    if post.author_id == approver.id:
        allowed |= EDITABLE
    if post.status not in allowed:
        raise PublishingError(f"a {post.status} post cannot be approved")
    now = now or utcnow()
    post.status = PostStatus.scheduled.value
    post.approver_id = approver.id
    post.scheduled_at = post.scheduled_at or now
    post.review_comment = None
    record(
        session,
        workspace_id=post.workspace_id,
        actor_id=approver.id,
        action="post.approve",
        target_type="post",
        target_id=post.id,
        detail={"scheduled_at": post.scheduled_at.isoformat()},
    )
    return post


def send_back(session: Session, *, post: Post, approver: User, comment: str) -> Post:
    if not can_approve(approver):
        raise PublishingError("your role cannot review posts")
    if post.status not in {PostStatus.pending_approval.value, PostStatus.scheduled.value}:
        raise PublishingError(f"a {post.status} post cannot be sent back")
    if not comment.strip():
        raise PublishingError("say what should change when sending a post back")
    post.status = PostStatus.changes_requested.value
    post.review_comment = comment
    record(
        session,
        workspace_id=post.workspace_id,
        actor_id=approver.id,
        action="post.send_back",
        target_type="post",
        target_id=post.id,
        detail={"comment": comment},
    )
    return post


def due_post_ids(session: Session, *, now: datetime) -> list[int]:
    stmt = select(Post.id).where(
        Post.status == PostStatus.scheduled.value,
        Post.scheduled_at <= now,
        (Post.next_attempt_at.is_(None)) | (Post.next_attempt_at <= now),
    )
    return list(session.scalars(stmt.order_by(Post.scheduled_at)))


def claim(session: Session, *, post_id: int, now: datetime) -> bool:
    """Take the post for publishing; True for exactly one caller however many race."""
    result = session.execute(
        update(Post)
        .where(Post.id == post_id, Post.status == PostStatus.scheduled.value, Post.scheduled_at <= now)
        .values(status=PostStatus.publishing.value, claimed_at=now, attempts=Post.attempts + 1)
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0) == 1)


@dataclass
class PublishOutcome:
    post_id: int
    status: str
    retry_at: datetime | None = None
    error: str | None = None


def publish(
    session: Session,
    *,
    settings: Settings,
    post_id: int,
    now: datetime | None = None,
    connector_factory: Callable[[Channel], Connector] | None = None,
) -> PublishOutcome:
    """Publish one due post if this caller wins the claim."""
    now = now or utcnow()
    if not claim(session, post_id=post_id, now=now):
        post = session.get(Post, post_id)
        return PublishOutcome(post_id, post.status if post else "missing")
    post = session.get(Post, post_id)
    assert post is not None
    channel = session.get(Channel, post.channel_id)
    assert channel is not None
    connector = (
        connector_factory(channel) if connector_factory else build_connector(channel, settings=settings)
    )
    if not isinstance(connector, PublishCapability):
        return _fail(session, post, f"the {channel.network} connector cannot publish")
    try:
        sent = connector.publish(
            text=post.text, idempotency_key=post.idempotency_key, media_urls=post.media_urls
        )
    except RateLimited as exc:
        return _retry_later(session, post, now, exc.retry_after, str(exc))
    except (AuthExpired, NotPermitted) as exc:
        return _fail(session, post, f"{exc} — reconnect the channel, then schedule again")
    except ConnectorError as exc:
        if exc.retryable:
            return _retry_later(session, post, now, 60.0 * 2 ** (post.attempts - 1), str(exc))
        return _fail(session, post, str(exc))
    finally:
        connector.close()
    return record_published(
        session,
        post=post,
        channel=channel,
        external_id=sent.external_id,
        url=sent.url,
        published_at=sent.created_at,
    )


def record_published(
    session: Session,
    *,
    post: Post,
    channel: Channel,
    external_id: str,
    url: str | None,
    published_at: datetime,
) -> PublishOutcome:
    post.status = PostStatus.published.value
    post.external_id = external_id
    post.url = url
    post.published_at = published_at
    post.last_error = None
    # The post opens a thread in the inbox like any post the network shows us.
    ingest_items(
        session,
        channel=channel,
        items=[
            InboundItem(
                external_id=external_id,
                kind="post",
                text=post.text,
                created_at=published_at,
                direction="outbound",
                url=url,
            )
        ],
    )
    record(
        session,
        workspace_id=post.workspace_id,
        actor_id=post.approver_id,
        action="post.published",
        target_type="post",
        target_id=post.id,
        detail={"external_id": external_id},
    )
    session.commit()
    return PublishOutcome(post.id, post.status)


def _retry_later(session: Session, post: Post, now: datetime, delay_s: float, error: str) -> PublishOutcome:
    if post.attempts >= MAX_ATTEMPTS:
        return _fail(session, post, f"gave up after {post.attempts} attempts: {error}")
    post.status = PostStatus.scheduled.value
    post.next_attempt_at = now + timedelta(seconds=min(max(delay_s, 5.0), 6 * 3600))
    post.last_error = error
    session.commit()
    return PublishOutcome(post.id, post.status, retry_at=post.next_attempt_at, error=error)


def _fail(session: Session, post: Post, error: str) -> PublishOutcome:
    post.status = PostStatus.failed.value
    post.last_error = error
    record(
        session,
        workspace_id=post.workspace_id,
        actor_id=None,
        action="post.failed",
        target_type="post",
        target_id=post.id,
        detail={"error": error},
    )
    session.commit()
    return PublishOutcome(post.id, post.status, error=error)


def sweep_stale_claims(
    session: Session,
    *,
    settings: Settings,
    now: datetime,
    connector_factory: Callable[[Channel], Connector] | None = None,
) -> list[int]:
    """Posts a crashed worker left `publishing`: retried where the network deduplicates, else checked."""
    stale = list(
        session.scalars(
            select(Post).where(
                Post.status == PostStatus.publishing.value, Post.claimed_at < now - STALE_CLAIM
            )
        )
    )
    touched = []
    for post in stale:
        channel = session.get(Channel, post.channel_id)
        connector = (
            connector_factory(channel)
            if connector_factory and channel
            else build_connector(channel, settings=settings)
            if channel
            else None
        )
        if isinstance(connector, PublishCapability) and connector.idempotent_publish:
            post.status = PostStatus.scheduled.value
            post.next_attempt_at = None
        else:
            post.status = PostStatus.needs_check.value
            post.last_error = (
                "the worker stopped after calling the network; check the channel, then mark "
                "the post published or schedule it again"
            )
        touched.append(post.id)
    session.commit()
    return touched


def calendar(session: Session, *, workspace_id: int, start: datetime, end: datetime) -> list[Post]:
    """Posts planned or published between two times, for the week and month views."""
    when = Post.published_at.is_not(None) & (Post.published_at >= start) & (Post.published_at < end)
    planned = Post.scheduled_at.is_not(None) & (Post.scheduled_at >= start) & (Post.scheduled_at < end)
    return list(
        session.scalars(
            select(Post).where(Post.workspace_id == workspace_id, when | planned).order_by(Post.scheduled_at)
        )
    )
