"""Facebook's "Download Your Information" comments file (`comments.json`, key `comments_v2`).

Each entry has `timestamp`, `title` ("X commented on Y's post.") and `data[].comment` with the text and
author. The file lists the account's own comments, so items are outbound comments. The export has no
ids, so each gets a stable id from its time, title and text: importing the file twice stores nothing
twice. Text is repaired from Meta's Latin-1 escaping of UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.ingest.exports.common import dumps, each_record, epoch_time, load_json, repair_text, stable_id
from tending.ingest.formats import Parsed
from tending.ingest.generic import RecordError


def _build(rec: Any) -> InboundItem:
    if not isinstance(rec, dict):
        raise RecordError("not an object")
    data = rec.get("data")
    comment = None
    if isinstance(data, list):
        comment = next(
            (d["comment"] for d in data if isinstance(d, dict) and isinstance(d.get("comment"), dict)), None
        )
    if comment is None:
        raise RecordError("data[].comment: missing")
    text = comment.get("comment")
    if not isinstance(text, str):
        raise RecordError("data[].comment.comment: missing")
    created = epoch_time(comment.get("timestamp", rec.get("timestamp")), field="timestamp")
    title = repair_text(str(rec.get("title") or ""))
    author_name = repair_text(str(comment.get("author") or ""))
    return InboundItem(
        external_id=stable_id("fb-export", created.timestamp(), title, text),
        kind="comment",
        text=repair_text(text),
        created_at=created,
        author=AuthorProfile(external_id=f"name:{author_name}", handle=author_name, name=author_name)
        if author_name
        else None,
        direction="outbound",
        raw=dumps(rec),
    )


def read(path: Path) -> Iterator[Parsed]:
    try:
        doc = load_json(path)
    except RecordError as exc:
        yield Parsed(1, None, str(exc))
        return
    records = doc.get("comments_v2", doc.get("comments")) if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        yield Parsed(1, None, f"{path.name}: no comments_v2 list")
        return
    yield from each_record(records, _build, label="comment")
