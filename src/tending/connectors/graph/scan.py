"""Watching the newest posts of a Page or Instagram account for new comments, resumably.

Graph lists posts by publication time, not by activity, so a new comment on an older post moves
nothing. Each poll therefore scans the `recent_posts` newest posts, one feed page per call (the feed
asks for each post's first comments page inline, so a quiet post costs no extra request), and keeps a
floor per post (see `tending.connectors.watermark`): a comment is delivered when it lies above its
post's floor. A post whose new comments span more pages than `max_pages` keeps its walk in the cursor
and is finished first on the next call. Posts that left the window are forgotten when a scan ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tending.connectors.graph.client import data_list, next_after
from tending.connectors.watermark import Walk

Entries = list[tuple[datetime, str, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class CommentSource:
    """How one network reads posts and comments.

    `feed(after, limit)` returns a page of posts, newest first, each with its first comments page under
    `comments`; `more(post_id, after)` the next comments page of a post; `entries` flattens a page's
    comments (and nested replies) into (time, id, comment). `ordered` says comments come newest first,
    so a walk may stop at the floor; otherwise every page is read. `signature(post)` is a count that
    changes when the post's comments change (None: always look at the inline page).
    """

    network: str
    feed: Callable[[str | None, int], dict[str, Any]]
    more: Callable[[str, str], dict[str, Any]]
    entries: Callable[[list[dict[str, Any]]], Entries]
    ordered: bool
    signature: Callable[[dict[str, Any]], int | None]


@dataclass(slots=True)
class ScanResult:
    comments: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    new_posts: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    has_more: bool = False


def _entry(walk: Walk, *, seen: int, count: int | None, pending: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"seen": seen, **walk.dump()}
    if count is not None:
        entry["count"] = count
    if walk.in_progress and pending is not None:
        entry["pending"] = pending
    return entry


def _walk_comments(
    source: CommentSource,
    post_id: str,
    walk: Walk,
    first_page: dict[str, Any] | None,
    *,
    found: list[tuple[str, dict[str, Any]]],
    max_pages: int,
    first_page_only: bool,
) -> None:
    page = first_page
    for _ in range(max_pages):
        if page is None:
            if walk.page is None:
                return
            page = source.more(post_id, walk.page)
        entries = source.entries(data_list(page, what="comments", network=source.network))
        found.extend((post_id, comment) for comment in walk.take(entries))
        reached = source.ordered and any(walk.floor.below(at) for at, _, _ in entries)
        walk.advance(None if first_page_only else next_after(page), reached_floor=reached)
        page = None
        if not walk.in_progress:
            return


def scan_comments(
    source: CommentSource,
    state: dict[str, Any],
    *,
    recent_posts: int,
    page_size: int,
    max_pages: int,
    start: str,
) -> ScanResult:
    """One step of the scan: finish walks left open, then read one page of posts and their comments."""
    posts: dict[str, dict[str, Any]] = {str(k): dict(v) for k, v in (state.get("posts") or {}).items()}
    scan_no = int(state.get("scan_no") or 0)
    feed_after = state.get("feed_after")
    scanned = int(state.get("scanned") or 0)
    first_page_only = bool(state.get("first_page_only", not state and start == "latest"))
    result = ScanResult()

    for post_id, open_entry in list(posts.items()):
        walk = Walk.load(open_entry)
        if walk.in_progress:
            _walk_comments(
                source, post_id, walk, None, found=result.comments, max_pages=max_pages, first_page_only=False
            )
            pending = open_entry.get("pending")
            done_count = pending if not walk.in_progress else open_entry.get("count")
            posts[post_id] = _entry(
                walk, seen=int(open_entry.get("seen", scan_no)), count=done_count, pending=pending
            )

    page = source.feed(
        str(feed_after) if feed_after else None, max(1, min(page_size, recent_posts - scanned))
    )
    feed = data_list(page, what="posts", network=source.network)
    for post in feed:
        post_id = str(post.get("id") or "")
        if not post_id:
            continue
        entry: dict[str, Any] | None = posts.get(post_id)
        if entry is None:
            result.new_posts.append(post)
        walk = Walk.load(entry)
        count = source.signature(post)
        stored_count = entry.get("count") if entry else None
        if not walk.in_progress and (count is None or entry is None or count != stored_count):
            inline = post.get("comments")
            _walk_comments(
                source,
                post_id,
                walk,
                inline if isinstance(inline, dict) else {"data": []},
                found=result.comments,
                max_pages=max_pages,
                first_page_only=first_page_only,
            )
            posts[post_id] = _entry(
                walk, seen=scan_no, count=stored_count if walk.in_progress else count, pending=count
            )
        else:
            posts[post_id] = {**(entry or {}), "seen": scan_no}

    scanned += len(feed)
    after = next_after(page)
    next_state: dict[str, Any] = {"scan_no": scan_no}
    if after and scanned < recent_posts:
        next_state.update(feed_after=after, scanned=scanned)
        if first_page_only:
            next_state["first_page_only"] = True
    else:
        posts = {k: v for k, v in posts.items() if v.get("seen") == scan_no or Walk.load(v).in_progress}
        next_state["scan_no"] = scan_no + 1
    next_state["posts"] = posts
    result.state = next_state
    result.has_more = "feed_after" in next_state or any(Walk.load(v).in_progress for v in posts.values())
    return result
