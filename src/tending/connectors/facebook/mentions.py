"""Posts that tag or @mention the Page (`GET /{page-id}/tagged`), read newest first to the last floor.

They are other people's posts, so each is an inbound `mention` threading on its own id; the Page may
answer it with a comment. Needs `pages_read_engagement` and `pages_read_user_content`.
"""

from __future__ import annotations

from typing import Any

import orjson

from tending.connectors.bases import AuthorProfile, InboundItem
from tending.connectors.graph.client import GraphClient
from tending.connectors.graph.newest import NewestFirst, read_newest
from tending.connectors.watermark import parse_time

TAGGED_FIELDS = "id,message,created_time,from,permalink_url"


def read_tagged(
    graph: GraphClient, page_id: str, stored: Any, *, limit: int, start: str
) -> tuple[list[InboundItem], dict[str, Any], bool]:
    edge = NewestFirst(
        path=f"{page_id}/tagged",
        fields=TAGGED_FIELDS,
        what="posts tagging the Page",
        when=lambda post: parse_time(post.get("created_time")),
    )
    posts, state, more = read_newest(graph, edge, stored, limit=limit, start=start)
    return [_item(post) for post in posts], state, more


def _item(post: dict[str, Any]) -> InboundItem:
    sender = post.get("from")
    who: dict[str, Any] = sender if isinstance(sender, dict) else {}
    at = parse_time(post.get("created_time"))
    assert at is not None  # read_newest keeps timed posts only
    return InboundItem(
        external_id=str(post["id"]),
        kind="mention",
        text=str(post.get("message") or ""),
        created_at=at,
        author=AuthorProfile(external_id=str(who["id"]), name=str(who.get("name") or ""))
        if who.get("id")
        else None,
        thread_external_id=str(post["id"]),
        url=post.get("permalink_url"),
        raw=orjson.dumps(post).decode(),
    )
