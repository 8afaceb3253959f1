"""Media in which the account is tagged (`GET /{ig-user-id}/tags`), read newest first to the last floor.

Each is someone else's media: an inbound `mention` threading on the media id, by its owner's username.
Comment and caption @mentions arrive by webhook only (`mentions` field; read through
`mentioned_comment` / `mentioned_media`, see `tending.connectors.graph.webhook`): Instagram has no list of
them to poll.
"""

from __future__ import annotations

from typing import Any

import orjson

from tending.connectors.bases import AuthorProfile, InboundItem
from tending.connectors.graph.client import GraphClient
from tending.connectors.graph.newest import NewestFirst, read_newest
from tending.connectors.watermark import parse_time

TAG_FIELDS = "id,caption,media_type,media_url,permalink,timestamp,username"


def read_tags(
    graph: GraphClient, account: str, stored: Any, *, limit: int, start: str
) -> tuple[list[InboundItem], dict[str, Any], bool]:
    edge = NewestFirst(
        path=f"{account}/tags",
        fields=TAG_FIELDS,
        what="media tagging the account",
        when=lambda media: parse_time(media.get("timestamp")),
    )
    media, state, more = read_newest(graph, edge, stored, limit=limit, start=start)
    return [_item(m) for m in media], state, more


def _item(media: dict[str, Any]) -> InboundItem:
    username = str(media.get("username") or "")
    at = parse_time(media.get("timestamp"))
    assert at is not None  # read_newest keeps timed media only
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
