"""Reddit's GDPR data export: `comments.csv` (and `posts.csv`, read by the same reader).

comments.csv columns: id, permalink, date, ip, subreddit, gildings, link, parent, body, media;
posts.csv has title and url instead of link/parent. The export is of the account's own activity, so
items are outbound. Ids become fullnames (`t1_` comments, `t3_` posts) to match the live connector.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from tending.connectors.bases.items import InboundItem
from tending.ingest.exports.common import dumps, each_csv_row, parse_format
from tending.ingest.formats import Parsed
from tending.ingest.generic import RecordError

_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d %H:%M:%S")
_POST_IN_URL = re.compile(r"/comments/([a-z0-9]+)")
_FULLNAME = re.compile(r"^t[13]_[a-z0-9]+$")


def _post_of(*urls: str) -> str | None:
    for url in urls:
        match = _POST_IN_URL.search(url)
        if match:
            return f"t3_{match.group(1)}"
    return None


def _build(row: dict[str, str]) -> InboundItem:
    rid = row["id"].strip()
    if not re.fullmatch(r"[a-z0-9]+", rid):
        raise RecordError(f"id: not a Reddit id: {rid[:30]!r}")
    created = parse_format(row["date"], _TIME_FORMATS, field="date")
    permalink = row.get("permalink", "").strip()
    if "title" in row:  # posts.csv
        text = f"{row['title']}\n\n{row.get('body', '')}".strip()
        return InboundItem(
            external_id=f"t3_{rid}",
            kind="post",
            text=text,
            created_at=created,
            direction="outbound",
            url=permalink or None,
            raw=dumps(row),
        )
    thread = _post_of(row.get("link", ""), permalink)
    parent = row.get("parent", "").strip()
    if parent and not _FULLNAME.match(parent):
        parent = f"t1_{parent}" if re.fullmatch(r"[a-z0-9]+", parent) else ""
    parent_id = parent or thread
    return InboundItem(
        external_id=f"t1_{rid}",
        kind="reply" if parent_id and parent_id.startswith("t1_") else "comment",
        text=row["body"],
        created_at=created,
        direction="outbound",
        parent_external_id=parent_id,
        thread_external_id=thread,
        url=permalink or None,
        raw=dumps(row),
    )


def read(path: Path) -> Iterator[Parsed]:
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline(64 * 1024)
    required = ("id", "date", "title") if "title" in header.split(",") else ("id", "date", "body")
    yield from each_csv_row(path, required, _build)
