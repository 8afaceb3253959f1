"""The audit log page: names instead of ids, readable changes, filters (who, what, when) and paging."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tending.audit import describe
from tending.audit.service import AuditFilter, actions, count_entries, list_entries
from tending.auth.deps import PagePrincipal
from tending.database.core import DbSession
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.service import members_of

router = APIRouter()
PAGE_SIZE = 50
SYSTEM = "system"


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _grouped(names: list[str]) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.split(".", 1)[0], []).append(name)
    return [(g, [n for n in items if "." in n]) for g, items in sorted(groups.items())]


@router.get("/w/{slug}/audit")
def audit_page(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    actor: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    """Dates are whole days in the workspace's time zone, `until` included; an unreadable filter is
    ignored rather than refused (it came from a link or a half-typed field)."""
    tz = ZoneInfo(workspace.timezone)
    first, last = _day(since), _day(until)
    where = AuditFilter(
        actor_id=int(actor) if actor.isdigit() else None,
        system_only=actor == SYSTEM,
        action=action.strip() or None,
        since=datetime.combine(first, time(), tz) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), tz) if last else None,
    )
    total = count_entries(db, workspace_id=workspace.id, where=where)
    entries = list_entries(
        db, workspace_id=workspace.id, where=where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    names = describe.people(db, entries)
    query = {k: v for k, v in {"actor": actor, "action": action, "since": since, "until": until}.items() if v}
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render(
        request,
        "audit/list.html",
        principal=principal,
        rows=[
            {
                "entry": e,
                "at": e.at.astimezone(tz),
                "who": names.get(e.actor_id, "someone who left") if e.actor_id is not None else SYSTEM,
                "changes": describe.changes(e, names, tz),
            }
            for e in entries
        ],
        targets=describe.targets(db, entries, slug=workspace.slug),
        words=describe.words,
        members=members_of(db, workspace.id),
        action_groups=_grouped(actions(db, workspace_id=workspace.id)),
        filters={"actor": actor, "action": action, "since": since, "until": until},
        total=total,
        page=page,
        pages=pages,
        first_shown=(page - 1) * PAGE_SIZE + 1,
        last_shown=(page - 1) * PAGE_SIZE + len(entries),
        prev_url=f"?{urlencode({**query, 'page': page - 1})}" if page > 1 else None,
        next_url=f"?{urlencode({**query, 'page': page + 1})}" if page < pages else None,
        **page_context(db, principal, workspace, "audit"),
    )
