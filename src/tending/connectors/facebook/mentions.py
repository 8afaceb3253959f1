"""Posts that tag or @mention the Page (`GET /{page-id}/tagged`), read newest first to the last floor.

They are other people's posts, so each is an inbound `mention` threading on its own id; the Page may
answer it with a comment. Needs `pages_read_engagement` and `pages_read_user_content`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from tending.connectors.bases import AuthorProfile, InboundItem
from tending.connectors.graph.newest import NewestFirst
from tending.connectors.watermark import parse_time

TAGGED_FIELDS = "id,message,created_time,from,permalink_url"


def tagged_edge(page_id: str) -> NewestFirst:
    return NewestFirst(
        path=f"{page_id}/tagged",
        fields=TAGGED_FIELDS,
        what="posts tagging the Page",
        when=lambda post: parse_time(post.get("created_time")),
        item=_item,
    )


def _item(post: dict[str, Any], at: datetime) -> InboundItem:
    sender = post.get("from")
    who: dict[str, Any] = sender if isinstance(sender, dict) else {}
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
