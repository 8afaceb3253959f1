"""Google Takeout's YouTube comments (`YouTube and YouTube Music/comments/comments.csv`).

Columns: Comment ID, Channel ID, Comment Create Timestamp, Price, Parent Comment ID, Post ID, Video ID,
Comment Text — the text is a run of JSON fragments (`{"text":"Hi "},{"text":"there"}`). The file
holds the channel's own comments, so items are outbound: comments on a video (threaded on the video)
or replies to another comment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from tending.connectors.bases.items import InboundItem
from tending.ingest.exports.common import dumps, each_csv_row, parse_format
from tending.ingest.formats import Parsed
from tending.ingest.generic import RecordError

_REQUIRED = ("Comment ID", "Comment Create Timestamp", "Comment Text")


def _text(value: str) -> str:
    """Join Takeout's text fragments; older files carry plain text, kept as is."""
    stripped = value.strip()
    if not stripped.startswith("{"):
        return value
    try:
        fragments = json.loads(f"[{stripped}]")
    except json.JSONDecodeError:
        raise RecordError("Comment Text: broken JSON fragments") from None
    return "".join(str(f.get("text", "")) for f in fragments if isinstance(f, dict))


def _build(row: dict[str, str]) -> InboundItem:
    cid = row["Comment ID"].strip()
    if not cid:
        raise RecordError("Comment ID: missing")
    video = row.get("Video ID", "").strip() or row.get("Post ID", "").strip() or None
    parent = row.get("Parent Comment ID", "").strip() or None
    return InboundItem(
        external_id=cid,
        kind="reply" if parent else "comment",
        text=_text(row["Comment Text"]),
        created_at=parse_format(row["Comment Create Timestamp"], (), field="Comment Create Timestamp"),
        direction="outbound",
        parent_external_id=parent or video,
        thread_external_id=video,
        url=f"https://www.youtube.com/watch?v={video}&lc={cid}" if row.get("Video ID", "").strip() else None,
        raw=dumps(row),
    )


def read(path: Path) -> Iterator[Parsed]:
    yield from each_csv_row(path, _REQUIRED, _build)
