"""Media in which the account is tagged (`GET /{ig-user-id}/tags`), read newest first to the last floor.

Each is someone else's media: an inbound `mention` threading on the media id, by its owner's username.
Comment and caption @mentions arrive by webhook only (`mentions` field; read through
`mentioned_comment` / `mentioned_media`, see `tending.connectors.graph.webhook`): Instagram has no list of
them to poll.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from tending.connectors.bases import AuthorProfile, InboundItem
from tending.connectors.graph.newest import NewestFirst
from tending.connectors.watermark import parse_time

TAG_FIELDS = "id,caption,media_type,media_url,permalink,timestamp,username"


def tags_edge(account: str) -> NewestFirst:
    return NewestFirst(
        path=f"{account}/tags",
        fields=TAG_FIELDS,
        what="media tagging the account",
        when=lambda media: parse_time(media.get("timestamp")),
        item=_item,
    )


def _item(media: dict[str, Any], at: datetime) -> InboundItem:
    username = str(media.get("username") or "")
    return InboundItem(
        external_id=str(media["id"]),
        kind="mention",
        text=str(media.get("caption") or ""),
        created_at=at,
        author=AuthorProfile(external_id=username, handle=username) if username else None,
        thread_external_id=str(media["id"]),
        url=media.get("permalink"),
        raw=orjson.dumps(media).decode(),
    )
