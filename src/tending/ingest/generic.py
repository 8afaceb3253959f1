"""The documented generic import format (JSONL or CSV), shared by file imports and the fake connector.

One record per line (JSONL) or row (CSV). Fields:

| field | required | meaning |
|---|---|---|
| `id` | yes | the item's id on its network, unique within the channel |
| `text` | yes | the message text (may be empty for a media-only post) |
| `created_at` | yes | ISO 8601 time; without an offset it is read as UTC |
| `kind` | no | post, comment, reply, mention, direct (default comment) |
| `direction` | no | inbound (default) or outbound (the brand's own message) |
| `parent_id` | no | id of the item this one answers |
| `thread_id` | no | id of the thread's root item |
| `url`, `language` | no | permalink; ISO 639-1 code |
| `author` | no | object with `id`, `handle`, `name`, `created_at`, `followers`, `following`, `posts`, |
|  |  | `default_avatar`, `bio`, `verified`; in CSV the same as `author_<field>` columns |
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tending.connectors.bases.items import AuthorProfile, InboundItem

KINDS = frozenset({"post", "comment", "reply", "mention", "direct"})
DIRECTIONS = frozenset({"inbound", "outbound"})
AUTHOR_FIELDS = (
    "id",
    "handle",
    "name",
    "created_at",
    "followers",
    "following",
    "posts",
    "default_avatar",
    "bio",
    "verified",
)


class RecordError(ValueError):
    """A record that cannot be read; the message names the field."""


def parse_time(value: Any, *, field: str = "created_at") -> datetime:
    if type(value) is str and value:  # the common case first: imports are mostly ISO text
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            raise RecordError(f"{field}: not an ISO 8601 time: {value[:40]!r}") from None
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            dt = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise RecordError(f"{field}: {value!r} is not a time in seconds since 1970") from None
    elif isinstance(value, str) and value:
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            raise RecordError(f"{field}: not an ISO 8601 time: {value[:40]!r}") from None
    else:
        raise RecordError(f"{field}: missing")
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _opt_int(value: Any, field: str) -> int | None:
    if type(value) is int:
        return value
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise RecordError(f"{field}: not a whole number: {str(value)[:40]!r}") from None


def _identifier(value: Any, field: str) -> str | None:
    """An id as text: ids are strings or whole numbers (a JSON object, list or boolean is refused, not
    turned into its Python spelling)."""
    if type(value) is str:
        return value or None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{field}: must be a string or a number, not {_json_type(value)}")
    if isinstance(value, float):
        if not value.is_integer():
            raise RecordError(f"{field}: {value!r} is not a whole number; give ids with a fraction as text")
        value = int(value)
    return str(value)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _opt_bool(value: Any) -> bool | None:
    if value is True or value is False:
        return value
    if value is None or value == "":
        return None
    return str(value).strip().lower() in {"1", "true", "yes", "y", "t"}


def _opt_str(value: Any) -> str | None:
    if type(value) is str:
        return value or None
    if value is None:
        return None
    return str(value)


def author_from_record(a: dict[str, Any]) -> AuthorProfile | None:
    aid = _identifier(a.get("id"), "author.id")
    if aid is None:
        return None
    created = a.get("created_at")
    return AuthorProfile(
        external_id=aid,
        handle=str(a.get("handle") or ""),
        name=str(a.get("name") or ""),
        account_created_at=parse_time(created, field="author.created_at") if created else None,
        followers=_opt_int(a.get("followers"), "author.followers"),
        following=_opt_int(a.get("following"), "author.following"),
        posts_count=_opt_int(a.get("posts"), "author.posts"),
        avatar_is_default=_opt_bool(a.get("default_avatar")),
        bio=_opt_str(a.get("bio")),
        verified=_opt_bool(a.get("verified")),
    )


def item_from_record(rec: dict[str, Any], *, raw: str | None) -> InboundItem:
    """Read one generic record; raises RecordError naming the bad field."""
    if not isinstance(rec, dict):
        raise RecordError("record is not an object")
    ext = _identifier(rec.get("id"), "id")
    if ext is None:
        raise RecordError("id: missing")
    text = rec.get("text")
    if text is None:
        raise RecordError("text: missing")
    if isinstance(text, dict | list | bool):
        raise RecordError(f"text: must be a string, not {_json_type(text)}")
    kind = rec.get("kind") or "comment"
    if not isinstance(kind, str) or kind not in KINDS:
        raise RecordError(f"kind: {str(kind)[:40]!r} is not one of {', '.join(sorted(KINDS))}")
    direction = rec.get("direction") or "inbound"
    if not isinstance(direction, str) or direction not in DIRECTIONS:
        raise RecordError(f"direction: {str(direction)[:40]!r} is not inbound or outbound")
    author_rec = rec.get("author")
    if author_rec is None:
        author_rec = {f: rec.get(f"author_{f}") for f in AUTHOR_FIELDS}
    elif not isinstance(author_rec, dict):
        raise RecordError("author: not an object")
    return InboundItem(
        external_id=ext,
        kind=kind,
        text=str(text),
        created_at=parse_time(rec.get("created_at")),
        author=author_from_record(author_rec),
        direction=direction,
        parent_external_id=_identifier(rec.get("parent_id"), "parent_id"),
        thread_external_id=_identifier(rec.get("thread_id"), "thread_id"),
        url=_opt_str(rec.get("url")),
        language=_opt_str(rec.get("language")),
        raw=raw,
    )
