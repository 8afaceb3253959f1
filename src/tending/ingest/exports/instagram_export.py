"""Instagram's export of the account's comments (`post_comments_1.json`, `reels_comments.json`).

Records carry `string_map_data` with "Comment" (text), "Media Owner" and "Time" (timestamp); older
exports are a bare list, newer ones wrap it (`comments_reels_comments`, ...). These are the account's
own comments, so items are outbound; ids are stable digests since the export gives none.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tending.connectors.bases.items import InboundItem
from tending.ingest.exports.common import dumps, each_record, epoch_time, load_json, repair_text, stable_id
from tending.ingest.formats import Parsed
from tending.ingest.generic import RecordError


def _build(rec: Any) -> InboundItem:
    if not isinstance(rec, dict):
        raise RecordError("not an object")
    smap = rec.get("string_map_data")
    if not isinstance(smap, dict):
        raise RecordError("string_map_data: missing")
    comment = smap.get("Comment") or {}
    text = comment.get("value") if isinstance(comment, dict) else None
    if not isinstance(text, str):
        raise RecordError("string_map_data.Comment.value: missing")
    when = smap.get("Time") or {}
    created = epoch_time(
        when.get("timestamp") if isinstance(when, dict) else None, field="string_map_data.Time"
    )
    owner = smap.get("Media Owner") or {}
    owner_name = repair_text(str(owner.get("value") or "")) if isinstance(owner, dict) else ""
    media = rec.get("media_list_data") or []
    media_uri = media[0].get("uri") if media and isinstance(media[0], dict) else None
    return InboundItem(
        external_id=stable_id("ig-export", created.timestamp(), owner_name, text),
        kind="comment",
        text=repair_text(text),
        created_at=created,
        direction="outbound",
        thread_external_id=f"ig-media:{owner_name}:{media_uri}" if media_uri else None,
        raw=dumps(rec),
    )


def read(path: Path) -> Iterator[Parsed]:
    try:
        doc = load_json(path)
    except RecordError as exc:
        yield Parsed(1, None, str(exc))
        return
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list)]
        doc = lists[0] if len(lists) == 1 else None
    if not isinstance(doc, list):
        yield Parsed(1, None, f"{path.name}: expected a list of comments (or one object holding it)")
        return
    yield from each_record(doc, _build, label="comment")
