"""The gate every inbound item passes before it reaches the database, for file imports and polls alike.

Each field is checked against the column it is stored in, with the same limits on SQLite and
PostgreSQL (SQLite would store a 400-character id or a follower count of 10^30 that PostgreSQL
refuses, and a refused row fails its whole batch). Identifiers and links that do not fit are refused,
because a shortened id is another item; free text is cleaned of control characters and capped, because
it is still the person's message. A refused item is set aside with its reason and the rest is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.inbox.models import Direction, MessageKind
from tending.ingest.languages import ISO_639_1, RENAMED, UNDETERMINED
from tending.textcap import TEXT_CAP_BYTES, cap_utf8

# The network's payload is kept for reference; beyond this it is replaced by its start and its size.
RAW_CAP_BYTES = 256 * 1024
BIO_CAP_BYTES = 8 * 1024
MESSAGE_ID_CHARS = 300  # message.external_id, parent_external_id, conversation.thread_key
AUTHOR_ID_CHARS = 200  # author.external_id
AUTHOR_TEXT_CHARS = 200  # author.handle, author.name
URL_CHARS = 1000  # message.url
INT_COLUMN_MAX = 2**31 - 1  # author.followers / following / posts_count are 32-bit integers everywhere
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone UTF-16 surrogates (which
# PostgreSQL cannot encode). NUL is among them: PostgreSQL refuses it in any text column.
_DISALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Drop the characters no text column may hold."""
    return _DISALLOWED.sub("", value) if _DISALLOWED.search(value) else value


def _identifier(limit: int) -> Any:
    def check(value: str) -> str:
        if not value.strip():
            raise ValueError("empty")
        if len(value) > limit:
            raise ValueError(f"{len(value)} characters, more than {limit}")
        if _DISALLOWED.search(value):
            raise ValueError("contains control characters")
        return value

    return AfterValidator(check)


def _capped(limit: int) -> Any:
    return AfterValidator(lambda v: cap_utf8(clean_text(v), limit))


def _shortened(chars: int) -> Any:
    return AfterValidator(lambda v: clean_text(v)[:chars])


def _language(value: str | None) -> str | None:
    """An ISO 639-1 code; a region or script subtag (`en-US`, `zh_Hant`) is dropped, and the networks'
    "undetermined" codes mean unknown."""
    if value is None:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    primary = RENAMED.get(primary, primary)
    if not primary or primary in UNDETERMINED:
        return None
    if primary not in ISO_639_1:
        raise ValueError(f"{value[:20]!r} is not an ISO 639-1 language code")
    return primary


def _url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > URL_CHARS:
        raise ValueError(f"{len(value)} characters, more than {URL_CHARS}")
    if _DISALLOWED.search(value):
        raise ValueError("contains control characters")
    return value


def _in_range(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"{value.isoformat()} is outside {EARLIEST.year}-{LATEST.year - 1}")
    return value


Count = Annotated[int, Field(ge=0, le=INT_COLUMN_MAX)]
MessageId = Annotated[str, _identifier(MESSAGE_ID_CHARS)]
Time = Annotated[datetime, AfterValidator(_in_range)]


class AuthorIn(BaseModel):
    """An author profile as stored: `author` columns' sizes and ranges."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    external_id: Annotated[str, _identifier(AUTHOR_ID_CHARS)]
    handle: Annotated[str, _shortened(AUTHOR_TEXT_CHARS)] = ""
    name: Annotated[str, _shortened(AUTHOR_TEXT_CHARS)] = ""
    account_created_at: Time | None = None
    followers: Count | None = None
    following: Count | None = None
    posts_count: Count | None = None
    avatar_is_default: bool | None = None
    bio: Annotated[str, _capped(BIO_CAP_BYTES)] | None = None
    verified: bool | None = None


class ItemIn(BaseModel):
    """An inbound item as stored: `message` columns' sizes, the known kinds and directions, a language
    code, a time the desk can reason about, and text without control characters, capped."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    external_id: MessageId
    kind: MessageKind
    text: Annotated[str, _capped(TEXT_CAP_BYTES)]
    created_at: Time
    author: AuthorIn | None = None
    direction: Direction = Direction.inbound
    parent_external_id: MessageId | None = None
    thread_external_id: MessageId | None = None
    url: Annotated[str | None, AfterValidator(_url)] = None
    language: Annotated[str | None, AfterValidator(_language)] = None
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class SetAside:
    """An item that was not stored: its position in the list given, its network id (shortened) and why."""

    index: int
    external_id: str
    reason: str

    def describe(self) -> str:
        return f"id {self.external_id!r}: {self.reason}"


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "item"
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def _raw(value: str | None) -> str | None:
    if value is None:
        return None
    value = clean_text(value)
    if len(value) * 4 <= RAW_CAP_BYTES or len(value.encode()) <= RAW_CAP_BYTES:
        return value
    size = len(value.encode())
    return orjson.dumps({"truncated_from_bytes": size, "start": cap_utf8(value, TEXT_CAP_BYTES)}).decode()


def _author(a: AuthorIn | None) -> AuthorProfile | None:
    return None if a is None else AuthorProfile(**dict(a))


def screen_item(item: InboundItem) -> InboundItem:
    """The item as it will be stored; raises ValidationError naming each field that cannot be."""
    ok = ItemIn.model_validate(item, from_attributes=True)
    fields = dict(ok)
    fields.update(
        kind=ok.kind.value, direction=ok.direction.value, author=_author(ok.author), raw=_raw(ok.raw)
    )
    return InboundItem(**fields)


_KINDS = frozenset(MessageKind)
_DIRECTIONS = frozenset(Direction)


def _fits(value: object, chars: int) -> bool:
    return type(value) is str and 0 < len(value) <= chars and not _DISALLOWED.search(value)


def _short(value: object, chars: int) -> bool:
    return type(value) is str and len(value) <= chars and not _DISALLOWED.search(value)


def _time_fits(value: object) -> bool:
    return type(value) is datetime and value.tzinfo is not None and EARLIEST <= value < LATEST


def _count_fits(value: object) -> bool:
    return value is None or (type(value) is int and 0 <= value <= INT_COLUMN_MAX)


def _author_as_is(a: AuthorProfile | None) -> bool:
    if a is None:
        return True
    return (
        type(a) is AuthorProfile
        and _fits(a.external_id, AUTHOR_ID_CHARS)
        and not a.external_id.isspace()
        and _short(a.handle, AUTHOR_TEXT_CHARS)
        and _short(a.name, AUTHOR_TEXT_CHARS)
        and (a.account_created_at is None or _time_fits(a.account_created_at))
        and _count_fits(a.followers)
        and _count_fits(a.following)
        and _count_fits(a.posts_count)
        and a.avatar_is_default in (None, True, False)
        and a.verified in (None, True, False)
        and (a.bio is None or _short(a.bio, BIO_CAP_BYTES // 4))
    )


def stored_as_is(it: InboundItem) -> bool:
    """True when `screen_item` would return the item unchanged: the common case, told by a few
    comparisons so that clean imports do not pay for building the model. Conservative: anything it is
    not sure of goes through `ItemIn`."""
    return (
        _fits(it.external_id, MESSAGE_ID_CHARS)
        and not it.external_id.isspace()
        and it.kind in _KINDS
        and type(it.kind) is str
        and _short(it.text, TEXT_CAP_BYTES // 4)
        and _time_fits(it.created_at)
        and it.direction in _DIRECTIONS
        and type(it.direction) is str
        and (it.parent_external_id is None or _fits(it.parent_external_id, MESSAGE_ID_CHARS))
        and (it.thread_external_id is None or _fits(it.thread_external_id, MESSAGE_ID_CHARS))
        and (it.parent_external_id is None or not it.parent_external_id.isspace())
        and (it.thread_external_id is None or not it.thread_external_id.isspace())
        and (it.url is None or (_fits(it.url, URL_CHARS) and not it.url.isspace()))
        and (it.language is None or it.language in ISO_639_1)
        and (it.raw is None or _short(it.raw, RAW_CAP_BYTES // 4))
        and _author_as_is(it.author)
    )


def screen_items(items: list[InboundItem]) -> tuple[list[InboundItem], list[SetAside]]:
    """The items fit to store, and those set aside with the reason."""
    kept: list[InboundItem] = []
    aside: list[SetAside] = []
    for i, item in enumerate(items):
        if type(item) is InboundItem and stored_as_is(item):
            kept.append(item)
            continue
        try:
            kept.append(screen_item(item))
        except ValidationError as exc:
            ext = clean_text(str(getattr(item, "external_id", "?")))
            aside.append(SetAside(i, ext if len(ext) <= 40 else ext[:40] + "…", _reason(exc)))
    return kept, aside
