"""Drafting, approval and exactly-once publishing of posts.

Exactly once: a worker first *claims* a post with a conditional UPDATE (only one claim can succeed),
then calls the network with the post's idempotency key, then records the returned id. Any retry (after a
time-out, a 5xx, an unreadable answer, or a worker that died between the call and the record) first
looks for the post on the network (`PublishCapability.find_published`) and records it when found; it
sends again only when the post is not there, or when the network deduplicates by our key. Where neither
is possible the post becomes `needs_check` and a person looks at the channel. Nothing is ever posted
twice by a retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import literal_column, select, update
from sqlalchemy.orm import Session

from tending.audit.service import log_about
from tending.auth.models import Role, User
from tending.channel.connection import mark_reconnect_needed
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
    SentItem,
    can_check_published,
)
from tending.connectors.httpkit import backoff_s
from tending.database.core import utcnow
from tending.errors import Conflict, Forbidden, NotFound, Refused
from tending.inbox.models import Direction, Message, MessageKind
from tending.ingest.service import ingest_items
from tending.publishing.limits import Length, measure
from tending.publishing.models import Post, PostCreate, PostStatus
from tending.workspace.scope import Scoped, require_own

MAX_ATTEMPTS = 6
STALE_CLAIM = timedelta(minutes=10)
# A post is looked for from a little before its planned time (clocks differ between us and the network).
LOOKUP_SKEW = timedelta(minutes=5)
EDITABLE = {PostStatus.draft.value, PostStatus.changes_requested.value}
# Until a worker claims it, a post can still be changed or called off.
CANCELLABLE = EDITABLE | {
    PostStatus.pending_approval.value,
    PostStatus.scheduled.value,
    PostStatus.failed.value,
}
# A time typed a few seconds ago for "now" is not refused as past.
PAST_GRACE = timedelta(minutes=1)


class PublishingError(Conflict, RuntimeError):
    """The post's state forbids the action (409)."""


class PostRefused(Refused, PublishingError):
    """The post names a channel of another workspace, or a time that has passed (400)."""


class ReviewForbidden(Forbidden, PublishingError):
    """The caller's role drafts posts; brand members review them (403)."""


def _check_time(scheduled_at: datetime | None, now: datetime | None) -> datetime | None:
    """The time as aware UTC (a naive one is read as UTC); refused when it has already passed."""
    if scheduled_at is None:
        return None
    when = scheduled_at if scheduled_at.tzinfo else scheduled_at.replace(tzinfo=UTC)
    if when < (now or utcnow()) - PAST_GRACE:
        raise PostRefused("scheduled_at: that time has passed; pick a time in the future")
    return when.astimezone(UTC)


def can_approve(user: User) -> bool:
    """Agency accounts draft; the brand's own people (members and admins) approve."""
    return user.role in {Role.admin.value, Role.member.value}


def _audit(
    session: Session, post: Post, *, actor_id: int | None, verb: str, detail: dict[str, object] | None = None
) -> None:
    log_about(session, post, "post", verb, actor_id=actor_id, detail=detail)


def get_post(session: Session, *, workspace_id: int, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None or post.workspace_id != workspace_id:
        raise NotFound("post not found")
    return post


def _check_length(session: Session, channel_id: int, text: str) -> None:
    """Refuse a text its network would refuse at publication time (`tending.publishing.limits`)."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        return
    length = measure(channel, text)
    if length.over:
        raise PostRefused(f"text: {length.describe()}, {length.problem}; shorten it")


def measure_draft(session: Session, *, workspace_id: int, channel_id: int, text: str) -> Length:
    """How the text counts on the channel's network, for the compose page's notice."""
    require_own(session, workspace_id=workspace_id, kind=Scoped.channel, field="channel_id", ids=channel_id)
    channel = session.get(Channel, channel_id)
    assert channel is not None
    return measure(channel, text)


def create_draft(
    session: Session, *, workspace_id: int, author: User, post_in: PostCreate, now: datetime | None = None
) -> Post:
    """A draft post; its channel and campaign must be the workspace's (ForeignId otherwise)."""
    require_own(
        session, workspace_id=workspace_id, kind=Scoped.channel, field="channel_id", ids=post_in.channel_id
    )
    require_own(
        session, workspace_id=workspace_id, kind=Scoped.campaign, field="campaign_id", ids=post_in.campaign_id
    )
    scheduled_at = _check_time(post_in.scheduled_at, now)
    _check_length(session, post_in.channel_id, post_in.text)
    post = Post(
        workspace_id=workspace_id,
        channel_id=post_in.channel_id,
        campaign_id=post_in.campaign_id,
        text=post_in.text,
        media_urls=list(post_in.media_urls),
        scheduled_at=scheduled_at,
        author_id=author.id,
        status=PostStatus.draft.value,
    )
    session.add(post)
    session.flush()
    _audit(session, post, actor_id=author.id, verb="draft")
    return post


def edit(
    session: Session,
    *,
    post: Post,
    actor: User,
    text: str | None,
    scheduled_at: datetime | None,
    now: datetime | None = None,
) -> Post:
    """Change the text or the time of a post not yet claimed for publishing. A scheduled post changed by
    someone who may not approve goes back for approval; an approver's change stays scheduled."""
    editable = EDITABLE | {PostStatus.pending_approval.value, PostStatus.scheduled.value}
    if post.status not in editable:
        raise PublishingError(f"a {post.status} post cannot be edited")
    when = _check_time(scheduled_at, now)
    changed = []
    if text is not None and text != post.text:
        _check_length(session, post.channel_id, text)
        post.text = text
        changed.append("text")
    if when is not None and when != post.scheduled_at:
        post.scheduled_at = when
        changed.append("scheduled_at")
    detail: dict[str, object] = {"changed": changed}
    if post.status == PostStatus.scheduled.value and changed:
        if can_approve(actor):
            post.approver_id = actor.id
        else:
            post.status = PostStatus.pending_approval.value
            detail["status"] = post.status
    if post.scheduled_at is not None:
        detail["scheduled_at"] = post.scheduled_at.isoformat()
    _audit(session, post, actor_id=actor.id, verb="edit", detail=detail)
    return post


def cancel(session: Session, *, post: Post, actor: User) -> Post:
    """Call off a post before a worker claims it; it stays on record as cancelled, never goes out."""
    if post.status not in CANCELLABLE:
        raise PublishingError(f"a {post.status} post cannot be cancelled")
    if not can_approve(actor) and post.author_id != actor.id:
        raise ReviewForbidden("only its author or a brand member may cancel a post")
    previous = post.status
    post.status = PostStatus.cancelled.value
    post.next_attempt_at = None
    _audit(session, post, actor_id=actor.id, verb="cancel", detail={"was": previous})
    return post


def submit(session: Session, *, post: Post, actor: User) -> Post:
    if post.status not in EDITABLE:
        raise PublishingError(f"only drafts can be submitted (this one is {post.status})")
    post.status = PostStatus.pending_approval.value
    _audit(session, post, actor_id=actor.id, verb="submit")
    return post


def approve(session: Session, *, post: Post, approver: User, now: datetime | None = None) -> Post:
    """Approve and schedule (or queue for now). Drafts of approvers may be approved directly."""
    if not can_approve(approver):
        raise ReviewForbidden("your role drafts posts; a brand member approves them")
    allowed = {PostStatus.pending_approval.value}
    if post.author_id == approver.id:
        allowed |= EDITABLE
    if post.status not in allowed:
        raise PublishingError(f"a {post.status} post cannot be approved")
    now = now or utcnow()
    if post.scheduled_at is not None and post.scheduled_at < now - PAST_GRACE:
        # Approving would publish at once a post planned for another moment: the time is chosen again.
        raise PostRefused("scheduled_at: the planned time has passed; edit the time, then approve")
    post.status = PostStatus.scheduled.value
    post.approver_id = approver.id
    post.scheduled_at = post.scheduled_at or now
    post.review_comment = None
    _audit(
        session,
        post,
        actor_id=approver.id,
        verb="approve",
        detail={"scheduled_at": post.scheduled_at.isoformat()},
    )
    return post


def send_back(session: Session, *, post: Post, approver: User, comment: str) -> Post:
    if not can_approve(approver):
        raise ReviewForbidden("your role cannot review posts")
    if post.status not in {PostStatus.pending_approval.value, PostStatus.scheduled.value}:
        raise PublishingError(f"a {post.status} post cannot be sent back")
    if not comment.strip():
        raise PostRefused("comment: say what should change when sending a post back")
    post.status = PostStatus.changes_requested.value
    post.review_comment = comment
    _audit(session, post, actor_id=approver.id, verb="send_back", detail={"comment": comment})
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
        sent = _earlier_attempt(connector, post) if post.attempts > 1 else None
        if sent is None:
            sent = connector.publish(
                text=post.text, idempotency_key=post.idempotency_key, media_urls=post.media_urls
            )
    except _NeedsCheck as exc:
        return _needs_check(session, post, str(exc))
    except RateLimited as exc:
        return _retry_later(session, post, now, exc.retry_after, str(exc))
    except AuthExpired as exc:
        mark_reconnect_needed(session, channel=channel, reason=str(exc), now=now)
        return _fail(session, post, f"{exc} — reconnect the channel, then schedule again")
    except NotPermitted as exc:
        return _fail(session, post, f"{exc} — check the account's permissions, then schedule again")
    except ConnectorError as exc:
        if exc.retryable:
            # A time-out, a 5xx or an unreadable answer: the post may be on the network. The retry
            # looks for it first (`_earlier_attempt`), so it is sent again only if it is not there.
            return _retry_later(session, post, now, backoff_s(post.attempts, base=60.0), str(exc))
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


class _NeedsCheck(Exception):
    """An earlier attempt may have posted and nothing can tell: a person looks at the channel."""


def _earlier_attempt(connector: PublishCapability, post: Post) -> SentItem | None:
    """Before any retry: the post an earlier attempt may have made, looked up on the network. None means
    it is not there (or the network's idempotency key makes sending again safe); a failed look-up raises
    its connector error, so the retry waits instead of sending blind."""
    planned = post.scheduled_at or post.created_at
    since = (planned if planned.tzinfo else planned.replace(tzinfo=UTC)) - LOOKUP_SKEW
    try:
        return connector.find_published(
            text=post.text, idempotency_key=post.idempotency_key, since=since, media_urls=post.media_urls
        )
    except NotImplementedError:
        if connector.idempotent_publish:
            return None
        raise _NeedsCheck(
            "an earlier attempt may have reached the network and this network cannot be asked; check the "
            "channel, then mark the post published or schedule it again"
        ) from None


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
    _audit(session, post, actor_id=post.approver_id, verb="published", detail={"external_id": external_id})
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


def _needs_check(session: Session, post: Post, error: str) -> PublishOutcome:
    post.status = PostStatus.needs_check.value
    post.last_error = error
    _audit(session, post, actor_id=None, verb="needs_check", detail={"error": error})
    session.commit()
    return PublishOutcome(post.id, post.status, error=error)


def _fail(session: Session, post: Post, error: str) -> PublishOutcome:
    post.status = PostStatus.failed.value
    post.last_error = error
    _audit(session, post, actor_id=None, verb="failed", detail={"error": error})
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
        if can_check_published(connector):
            # The retry looks the post up (or the network deduplicates it) before anything is sent.
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
            select(Post)
            .where(
                Post.workspace_id == workspace_id,
                when | planned,
                Post.status != PostStatus.cancelled.value,
            )
            .order_by(Post.scheduled_at)
        )
    )


def published_elsewhere(
    session: Session,
    *,
    workspace_id: int,
    channel_ids: list[int],
    start: datetime,
    end: datetime,
    limit: int = 1000,
) -> list[Message]:
    """The brand's own posts on these channels that ingestion brought in (published on the network
    directly, or before tending), between two times; posts tending published itself are left out (the
    calendar has them). Reads the partial index of brand posts per channel, so history size is no cost."""
    ours = select(Post.external_id).where(
        Post.workspace_id == workspace_id,
        Post.external_id.is_not(None),
        Post.channel_id == Message.channel_id,
    )
    stmt = (
        select(Message)
        .where(
            Message.channel_id.in_(channel_ids),
            # Literals, not parameters: the partial index's condition must be visible to the planner.
            Message.kind == literal_column(f"'{MessageKind.post.value}'"),
            Message.direction == literal_column(f"'{Direction.outbound.value}'"),
            Message.created_at >= start,
            Message.created_at < end,
            Message.external_id.not_in(ours),
        )
        .order_by(Message.created_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))
