"""The X (Twitter) archive: `data/tweets.js` and its `tweets-partN.js` siblings (`tweet.js` in older ones).

Each file is JavaScript, `window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]`. The archive holds the
account's own tweets, so every item is outbound: a post, or a reply when it answers another tweet.
Pass the .js file or the archive folder; with the folder, `data/account.js` names the author.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.ingest.exports.common import dumps, each_record, parse_format
from tending.ingest.formats import Parsed
from tending.ingest.generic import RecordError
from tending.inputfiles import read_text

_TIME_FORMATS = ("%a %b %d %H:%M:%S %z %Y",)


def _payload(path: Path) -> Any:
    """The JSON after the `window.YTD.<name>.partN =` assignment."""
    text = read_text(path)
    start = text.find("=")
    if start < 0 or not text[:start].strip().startswith("window.YTD."):
        raise RecordError(f"{path.name}: does not start with 'window.YTD.<name>.partN ='")
    try:
        return json.loads(text[start + 1 :])
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"{path.name}: not valid JSON after the assignment ({exc.msg}, char {exc.pos})"
        ) from None


def _account(folder: Path) -> AuthorProfile | None:
    account_js = folder / "data" / "account.js"
    if not account_js.is_file():
        return None
    try:
        data = _payload(account_js)
        account = data[0]["account"]
    except (RecordError, LookupError, TypeError):
        return None
    return AuthorProfile(
        external_id=str(account.get("accountId", "")),
        handle=str(account.get("username", "")),
        name=str(account.get("accountDisplayName", "")),
        account_created_at=parse_format(account.get("createdAt"), (), field="account.createdAt")
        if account.get("createdAt")
        else None,
    )


def _files(path: Path) -> list[Path]:
    """tweets.js and its parts; archives made before 2022 name them tweet.js / tweet-partN.js."""
    if not path.is_dir():
        return [path]
    data = path / "data" if (path / "data").is_dir() else path
    for stem in ("tweets", "tweet"):
        main = data / f"{stem}.js"
        parts = sorted(data.glob(f"{stem}-part*.js"))
        if main.is_file() or parts:
            return ([main] if main.is_file() else []) + parts
    return []


def _builder(author: AuthorProfile | None) -> Any:
    def build(rec: Any) -> InboundItem:
        if not isinstance(rec, dict):
            raise RecordError("not an object")
        tweet = rec.get("tweet", rec)
        if not isinstance(tweet, dict):
            raise RecordError("tweet: not an object")
        tid = tweet.get("id_str") or tweet.get("id")
        if not tid:
            raise RecordError("tweet.id_str: missing")
        text = tweet.get("full_text", tweet.get("text"))
        if text is None:
            raise RecordError("tweet.full_text: missing")
        parent = tweet.get("in_reply_to_status_id_str") or None
        handle = author.handle if author else ""
        return InboundItem(
            external_id=str(tid),
            kind="reply" if parent else "post",
            text=str(text),
            created_at=parse_format(tweet.get("created_at"), _TIME_FORMATS, field="tweet.created_at"),
            author=author,
            direction="outbound",
            parent_external_id=str(parent) if parent else None,
            url=f"https://x.com/{handle}/status/{tid}" if handle else f"https://x.com/i/web/status/{tid}",
            language=tweet.get("lang") if tweet.get("lang") not in (None, "und", "zxx") else None,
            raw=dumps(rec),
        )

    return build


def read(path: Path) -> Iterator[Parsed]:
    author = _account(path) if path.is_dir() else _account(path.parent.parent)
    files = _files(path)
    if not files:
        yield Parsed(1, None, f"{path}: no data/tweets.js in this folder")
        return
    offset = 0
    for file in files:
        try:
            records = _payload(file)
        except RecordError as exc:
            yield Parsed(offset + 1, None, str(exc))
            continue
        if not isinstance(records, list):
            yield Parsed(offset + 1, None, f"{file.name}: the assigned value is not a list")
            continue
        yield from each_record(records, _builder(author), label=f"{file.name} record", first=offset + 1)
        offset += len(records)
