"""A Mastodon account archive's `outbox.json` (ActivityPub OrderedCollection).

`Create` activities hold the account's own `Note`s: outbound posts, replies, or direct messages when
addressed to neither the public nor the followers collection. Boosts (`Announce`) carry no text of
ours and are passed over. Ids are the status ids (the last part of the Note's URL) so that items match
what the Mastodon connector reads live. Pass the file or the unpacked archive folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.connectors.text import html_to_text
from tending.ingest.exports.common import dumps, each_record, load_json, parse_format
from tending.ingest.formats import Parsed
from tending.ingest.generic import RecordError

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_STATUS_ID = re.compile(r"/(?:statuses|objects)/([0-9A-Za-z-]+)/?$")
_USER = re.compile(r"/users/([^/]+)")


def _local_id(url: str) -> str:
    match = _STATUS_ID.search(url)
    return match.group(1) if match else url


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _build(rec: Any) -> InboundItem | None:
    if not isinstance(rec, dict):
        raise RecordError("not an object")
    kind = rec.get("type")
    if kind == "Announce":
        return None
    if kind != "Create":
        raise RecordError(f"type: {kind!r} is not Create or Announce")
    note = rec.get("object")
    if not isinstance(note, dict):
        raise RecordError("object: not an embedded Note")
    if not note.get("id"):
        raise RecordError("object.id: missing")
    content = note.get("content")
    if not isinstance(content, str):
        raise RecordError("object.content: missing")
    addressed = _as_list(note.get("to")) + _as_list(note.get("cc"))
    actor = str(rec.get("actor") or note.get("attributedTo") or "")
    followers = f"{actor}/followers" if actor else ""
    reply_to = note.get("inReplyTo")
    if PUBLIC not in addressed and followers not in addressed:
        item_kind = "direct"
    else:
        item_kind = "reply" if reply_to else "post"
    languages = list((note.get("contentMap") or {}).keys())
    user = _USER.search(actor)
    warning = note.get("summary")
    text = html_to_text(content)
    return InboundItem(
        external_id=_local_id(str(note["id"])),
        kind=item_kind,
        text=f"CW: {warning}\n\n{text}" if warning else text,
        created_at=parse_format(note.get("published") or rec.get("published"), (), field="object.published"),
        author=AuthorProfile(external_id=actor, handle=user.group(1) if user else "") if actor else None,
        direction="outbound",
        parent_external_id=_local_id(str(reply_to)) if reply_to else None,
        url=str(note.get("url") or note["id"]),
        language=languages[0] if languages else None,
        raw=dumps(rec),
    )


def read(path: Path) -> Iterator[Parsed]:
    file = path / "outbox.json" if path.is_dir() else path
    try:
        doc = load_json(file)
    except (RecordError, OSError) as exc:
        yield Parsed(1, None, str(exc))
        return
    items = doc.get("orderedItems") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        yield Parsed(1, None, f"{file.name}: no orderedItems list (is this an ActivityPub outbox?)")
        return
    yield from each_record(items, _build, label="activity")
