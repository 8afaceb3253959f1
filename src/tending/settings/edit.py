"""Helpers shared by the settings API and pages: partial updates, ownership, who may write, form lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from tending.audit.service import log
from tending.auth.deps import Principal
from tending.auth.models import Role
from tending.errors import Forbidden, NotFound, Refused
from tending.workspace.scope import ForeignId, Scoped, require_own

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")

ADMIN_ONLY = frozenset({Role.admin.value})
ADMIN_AND_MEMBER = frozenset({Role.admin.value, Role.member.value})


class SettingRefused(Refused, ValueError):
    """The change names something outside the workspace (a member, a channel); nothing was saved.
    The app's error handler answers it with 400 (JSON for the API, a page for forms)."""


def may_write(principal: Principal, roles: frozenset[str]) -> bool:
    return principal.user.role in roles


def require_writer(principal: Principal, roles: frozenset[str], what: str) -> None:
    """403 unless the caller's role may change this kind of setting; checked after the workspace, so a
    foreign workspace still answers 404."""
    if not may_write(principal, roles):
        raise Forbidden(f"your role may not change {what}")


def validate_or_422(model: type[M], data: dict[str, Any]) -> M:
    """Validate as a request body would be, so a bad form or patch answers 422 with the same details."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None


def merged(model: type[M], row: object, patch: BaseModel) -> M:
    """The stored row with the patch's sent fields laid over it, checked as a whole new value: a patch
    cannot leave a row in a state a create would refuse."""
    current = {name: getattr(row, name) for name in model.model_fields}
    current.update(patch.model_dump(exclude_unset=True, include=set(model.model_fields)))
    return validate_or_422(model, current)


def from_form(model: type[M], data: dict[str, Any]) -> M:
    """Validate a page form; a refusal reads as one line, like the other dashboard forms."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise SettingRefused(f"not saved: {problems}") from None


def owned(db: Session, cls: type[R], item_id: int, workspace_id: int, what: str) -> R:
    """The row if it belongs to the workspace; 404 otherwise (another workspace's ids stay invisible)."""
    row = db.get(cls, item_id)
    if row is None or getattr(row, "workspace_id", None) != workspace_id:
        raise NotFound(f"{what} not found")
    return row


def check_member(db: Session, workspace_id: int, user_id: int | None, field: str) -> None:
    check_own(db, workspace_id, Scoped.member, user_id, field)


def check_own(
    db: Session, workspace_id: int, kind: Scoped, ids: int | Iterable[int] | None, field: str
) -> None:
    """The shared workspace check (`tending.workspace.scope`), refused as a setting."""
    try:
        require_own(db, workspace_id=workspace_id, kind=kind, field=field, ids=ids)
    except ForeignId as exc:
        raise SettingRefused(str(exc)) from None


def log_setting(
    session: Session,
    *,
    actor_id: int,
    workspace_id: int,
    kind: str,
    verb: str,
    target_id: int | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """The audit entry of a settings change, written by the service that makes it (so the API and the
    forms cannot differ, and no entry point can forget it): action `<kind>.<verb>`."""
    log(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        kind=kind,
        verb=verb,
        target_id=target_id,
        detail=detail,
    )


def apply_update(
    session: Session, *, row: Any, values: dict[str, Any], actor_id: int, kind: str
) -> list[str]:
    """Set the values on a workspace's settings row and write the `<kind>.update` audit entry naming the
    fields that changed (returned too). `row` needs `id` and `workspace_id`."""
    changed = []
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed.append(key)
    session.flush()
    log_setting(
        session,
        actor_id=actor_id,
        workspace_id=row.workspace_id,
        kind=kind,
        verb="update",
        target_id=row.id,
        detail={"changed": changed},
    )
    return changed


def apply_delete(session: Session, *, row: Any, actor_id: int, kind: str, detail: dict[str, Any]) -> None:
    """Write the `<kind>.delete` audit entry (with `detail`, since the row is gone afterwards), then
    delete the row. `row` needs `id` and `workspace_id`."""
    log_setting(
        session,
        actor_id=actor_id,
        workspace_id=row.workspace_id,
        kind=kind,
        verb="delete",
        target_id=row.id,
        detail=detail,
    )
    session.delete(row)


def split_list(text: str, *, sep: str = ",") -> list[str]:
    """A form's free-text list: separated by `sep` (or new lines), trimmed, empty items dropped."""
    parts: Iterable[str] = text.replace("\r", "").replace("\n", sep).split(sep)
    return [p.strip() for p in parts if p.strip()]
