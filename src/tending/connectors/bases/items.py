"""The network-neutral shapes every connector speaks: inbound items, profiles, sent items, metric points."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class AuthorProfile:
    """What a network tells about an account; unknown fields stay None."""

    external_id: str
    handle: str = ""
    name: str = ""
    account_created_at: datetime | None = None
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    avatar_is_default: bool | None = None
    bio: str | None = None
    verified: bool | None = None


@dataclass(slots=True)
class InboundItem:
    """One message as a network delivers it, normalised.

    `thread_external_id` is the root of the thread when the network says so (post id, conversation id);
    without it the thread is found through `parent_external_id`, else the item starts its own thread.
    `raw` keeps the network's payload as JSON text so nothing the network said is lost.
    """

    external_id: str
    kind: str
    text: str
    created_at: datetime
    author: AuthorProfile | None = None
    direction: str = "inbound"
    parent_external_id: str | None = None
    thread_external_id: str | None = None
    url: str | None = None
    language: str | None = None
    raw: str | None = None
    # Set when the network withholds the item pending the owner's review (`held_for_review`,
    # `likely_spam`); see `tending.inbox.models.NetworkReview`.
    network_review: str | None = None


@dataclass(slots=True)
class FetchResult:
    """A page of items and the cursor to store with them; `has_more` asks for another page now."""

    items: list[InboundItem]
    cursor: dict[str, Any]
    has_more: bool = False


@dataclass(slots=True)
class SentItem:
    """What a network returns for a reply or a post we made: its id is recorded for exactly-once."""

    external_id: str
    created_at: datetime
    url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class MetricPoint:
    """An audience figure at a time: followers, visits, page views, likes..."""

    name: str
    at: datetime
    value: float
