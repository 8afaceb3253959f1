"""The audit log in words: who (a name, also for people who have left), what it touched (its name and a
link), and what changed ("owner: Maya Chen" rather than `{"owner_id": 7}`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.audit.models import AuditEntry
from tending.auth.models import User
from tending.database.core import Base
from tending.formatting import num

# Detail keys that hold a person's id; `from`/`to` do too in hand-over actions.
PERSON_KEYS = frozenset(
    {"assignee_id", "owner_id", "responder_id", "user_id", "approver_id", "author_id", "reviewer_id"}
)
HANDOVER = ("assign", "route", "escalate", "fallback_owner")
LINKS = {
    "campaign": "/w/{slug}/campaigns/{id}",
    "conversation": "/w/{slug}/inbox/{id}",
    "post": "/w/{slug}/calendar#post-{id}",
    "channel": "/w/{slug}/channels",
    "routing_rule": "/w/{slug}/settings/routing",
    "sla_policy": "/w/{slug}/settings/sla",
    "prepared_answer": "/w/{slug}/settings/answers",
}
LABEL_ATTRS = ("name", "title", "preview", "text", "email")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_WORDS = re.compile(r"^[a-z]+(_[a-z]+)+$")


@dataclass(frozen=True)
class Target:
    label: str
    href: str | None


def words(key: str) -> str:
    """`owner_id` → `owner`, `max_days_silent` → `max days silent`."""
    return key.removesuffix("_id").replace("_", " ")


def _models() -> dict[str, type[Any]]:
    found: dict[str, type[Any]] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
        found.setdefault(getattr(cls, "__tablename__", snake), cls)
        found.setdefault(snake, cls)
    return found


def people(session: Session, entries: list[AuditEntry]) -> dict[int, str]:
    """Names of every person an entry names (actor or detail), active or not."""
    ids: set[int] = set()
    for e in entries:
        if e.actor_id is not None:
            ids.add(e.actor_id)
        for key, value in (e.detail or {}).items():
            if isinstance(value, int) and not isinstance(value, bool) and _is_person(e.action, key):
                ids.add(value)
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples().all())


def _is_person(action: str, key: str) -> bool:
    return key in PERSON_KEYS or (key in {"from", "to"} and action.endswith(HANDOVER))


def targets(session: Session, entries: list[AuditEntry], *, slug: str) -> dict[tuple[str, int], Target]:
    """A readable name and a link for each (type, id) the entries point at; a deleted thing keeps the
    name its entry recorded."""
    models = _models()
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.target_type and e.target_id is not None:
            wanted.setdefault(e.target_type, set()).add(e.target_id)
    out: dict[tuple[str, int], Target] = {}
    for kind, ids in wanted.items():
        cls = models.get(kind)
        rows = list(session.scalars(select(cls).where(cls.id.in_(ids)))) if cls is not None else []
        for row in rows:
            label = next((str(v) for a in LABEL_ATTRS if (v := getattr(row, a, None))), "")
            out[(kind, row.id)] = Target(_short(label), _link(kind, slug, row.id))
    for e in entries:
        key = (e.target_type, e.target_id or 0)
        if e.target_id is not None and key not in out:
            recorded = (e.detail or {}).get("name") or (e.detail or {}).get("title") or ""
            out[key] = Target(_short(str(recorded)) or "(deleted)", None)
    return out


def _link(kind: str, slug: str, item_id: int) -> str | None:
    pattern = LINKS.get(kind)
    return pattern.format(slug=slug, id=item_id) if pattern else None


def _short(text: str, size: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def changes(entry: AuditEntry, names: dict[int, str], tz: tzinfo) -> list[str]:
    """The entry's detail as short lines a person reads."""
    lines = []
    for key, value in (entry.detail or {}).items():
        if key == "changed" and isinstance(value, list):
            lines.append("changed: " + (", ".join(words(str(v)) for v in value) or "nothing"))
            continue
        lines.append(f"{words(key)}: {_value(entry.action, key, value, names, tz)}")
    return lines


def _value(action: str, key: str, value: Any, names: dict[int, str], tz: tzinfo) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and _is_person(action, key):
        return names.get(value, f"person #{value}")
    if isinstance(value, int) and (key == "id" or key.endswith("_id")):
        return f"#{value}"  # an id, not a quantity: no thousands separator
    if isinstance(value, int | float):
        return num(value, 2)
    if isinstance(value, str) and _ISO.match(value):
        try:
            return datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    if isinstance(value, str) and _WORDS.match(value):
        return value.replace("_", " ")  # an enum value such as `first_response`
    if isinstance(value, list):
        return ", ".join(_value(action, key, v, names, tz) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{words(str(k))} {_value(action, str(k), v, names, tz)}" for k, v in value.items())
    return _short(str(value), 200)
