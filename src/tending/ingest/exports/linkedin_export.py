"""LinkedIn's data export `Comments.csv` (columns Date, Link, Message).

The file lists the member's own comments, so items are outbound comments, threaded on the activity
named in the link (`urn:li:activity:...`). The id is the comment URN when the link carries one, else a
stable digest of the row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from tending.connectors.bases.items import InboundItem
from tending.ingest.exports.common import dumps, each_csv_row, parse_format, stable_id
from tending.ingest.formats import Parsed
from tending.ingest.generic import RecordError

_REQUIRED = ("Date", "Link", "Message")
_ACTIVITY = re.compile(r"urn:li:(?:activity|ugcPost|share):\d+")
_COMMENT = re.compile(r"urn:li:comment:\([^)]*\)")


def _build(row: dict[str, str]) -> InboundItem:
    link = unquote(row["Link"].strip())
    message = row["Message"]
    created = parse_format(row["Date"], ("%Y-%m-%d %H:%M:%S",), field="Date")
    if not message.strip():
        raise RecordError("Message: empty")
    comment = _COMMENT.search(link)
    activity = _ACTIVITY.search(link)
    return InboundItem(
        external_id=comment.group(0)
        if comment
        else stable_id("li-export", created.timestamp(), link, message),
        kind="comment",
        text=message.replace('""', '"'),
        created_at=created,
        direction="outbound",
        parent_external_id=activity.group(0) if activity else None,
        thread_external_id=activity.group(0) if activity else None,
        url=row["Link"].strip() or None,
        raw=dumps(row),
    )


def read(path: Path) -> Iterator[Parsed]:
    yield from each_csv_row(path, _REQUIRED, _build)
