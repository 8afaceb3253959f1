"""Saved inbox views: each person keeps their own named filters, kept as the inbox's query string so a
saved view is the same link the filter form produces."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.errors import Refused
from tending.inbox.models import SavedView
from tending.workspace.scope import ForeignId, Scoped, require_own

# The inbox filters a view may carry; anything else in a submitted query is dropped.
FILTER_KEYS = ("status", "channel_id", "assignee", "q")
MAX_VIEWS_PER_PERSON = 50


class SavedViewError(Refused, ValueError):
    """A view that cannot be saved (no name, no filter, too many views)."""

    status_code = 422


def clean_query(params: dict[str, str]) -> str:
    """The url-encoded filters of `params`, known keys only, empty values dropped, in a stable order."""
    return urlencode([(k, params[k].strip()) for k in FILTER_KEYS if (params.get(k) or "").strip()])


def _check_ids(session: Session, workspace_id: int, *, filters: dict[str, str]) -> None:
    """A view may name only this workspace's channels and people (`me` and `none` are words, not ids)."""
    try:
        for key, kind in (("channel_id", Scoped.channel), ("assignee", Scoped.member)):
            value = filters.get(key, "")
            if value.isdigit():
                require_own(session, workspace_id=workspace_id, kind=kind, field=key, ids=int(value))
    except ForeignId as exc:
        raise SavedViewError(str(exc)) from None


def filters_of(view: SavedView) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(view.query) if k in FILTER_KEYS}


def list_views(session: Session, *, workspace_id: int, user_id: int) -> list[SavedView]:
    return list(
        session.scalars(
            select(SavedView)
            .where(SavedView.workspace_id == workspace_id, SavedView.user_id == user_id)
            .order_by(SavedView.name)
        )
    )


def save_view(
    session: Session, *, workspace_id: int, user_id: int, name: str, params: dict[str, str]
) -> SavedView:
    """Create the view, or replace the filters of the person's view with the same name."""
    name = " ".join(name.split())[:80]
    if not name:
        raise SavedViewError("name: a saved view needs a name")
    query = clean_query(params)
    if not query:
        raise SavedViewError("filters: choose at least one filter before saving a view")
    _check_ids(session, workspace_id, filters=dict(parse_qsl(query)))
    existing = session.scalar(
        select(SavedView).where(
            SavedView.workspace_id == workspace_id, SavedView.user_id == user_id, SavedView.name == name
        )
    )
    if existing is not None:
        existing.query = query
        return existing
    if len(list_views(session, workspace_id=workspace_id, user_id=user_id)) >= MAX_VIEWS_PER_PERSON:
        raise SavedViewError(f"views: at most {MAX_VIEWS_PER_PERSON} saved views per person")
    view = SavedView(workspace_id=workspace_id, user_id=user_id, name=name, query=query)
    session.add(view)
    session.flush()
    return view


def delete_view(session: Session, *, workspace_id: int, user_id: int, view_id: int) -> bool:
    """Delete one of the person's own views; another person's view is never found."""
    view = session.get(SavedView, view_id)
    if view is None or view.workspace_id != workspace_id or view.user_id != user_id:
        return False
    session.delete(view)
    return True
