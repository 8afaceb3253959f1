"""Request dependencies: who is calling, which workspace they may touch, and CSRF for cookie sessions."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import exists, select

from tending.auth.models import Role, User, WorkspaceMembership
from tending.auth.service import can_access, resolve_api_token
from tending.database.core import DbSession
from tending.workspace.models import Workspace

SESSION_USER = "uid"
SESSION_CSRF = "csrf"


class LoginRequired(Exception):
    """Raised by page dependencies; the app turns it into a redirect to the login page."""


@dataclass
class Principal:
    user: User
    # Set when the caller used an API token: the only workspace it may touch.
    token_workspace_id: int | None = None

    @property
    def via_token(self) -> bool:
        return self.token_workspace_id is not None


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(24)
        request.session[SESSION_CSRF] = token
    return str(token)


def _principal_or_none(request: Request, db: DbSession) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = resolve_api_token(db, token=header[7:].strip())
        if found is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or revoked API token")
        return Principal(user=found[0], token_workspace_id=found[1])
    uid = request.session.get(SESSION_USER)
    if uid is None:
        return None
    user = db.get(User, int(uid))
    if user is None or not user.active:
        request.session.clear()
        return None
    return Principal(user=user)


def get_principal(request: Request, db: DbSession) -> Principal:
    principal = _principal_or_none(request, db)
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "login required")
    return principal


def get_page_principal(request: Request, db: DbSession) -> Principal:
    principal = _principal_or_none(request, db)
    if principal is None:
        raise LoginRequired()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
PagePrincipal = Annotated[Principal, Depends(get_page_principal)]


def check_workspace(db: DbSession, principal: Principal, workspace: Workspace | None) -> Workspace:
    """The workspace if the caller may see it; 404 otherwise, so foreign workspaces stay invisible."""
    if workspace is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "workspace not found")
    if principal.via_token and principal.token_workspace_id != workspace.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "workspace not found")
    if not can_access(db, user=principal.user, workspace_id=workspace.id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "workspace not found")
    return workspace


def get_workspace(workspace_id: int, db: DbSession, principal: CurrentPrincipal) -> Workspace:
    """The same rules as `check_workspace`, with the workspace and the membership read in one query
    (this runs on every workspace-scoped API request)."""
    if principal.via_token and principal.token_workspace_id != workspace_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "workspace not found")
    stmt = select(Workspace).where(Workspace.id == workspace_id)
    if principal.user.role != Role.admin.value:
        stmt = stmt.where(
            exists().where(
                WorkspaceMembership.workspace_id == Workspace.id,
                WorkspaceMembership.user_id == principal.user.id,
            )
        )
    workspace = db.scalar(stmt)
    if workspace is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "workspace not found")
    return workspace


CurrentWorkspace = Annotated[Workspace, Depends(get_workspace)]


def require_roles(*roles: Role) -> Any:
    """A dependency that admits only these roles."""
    names = {r.value for r in roles}

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.user.role not in names:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not do this")
        return principal

    return Depends(check)


async def verify_csrf(request: Request) -> None:
    """Unsafe requests made with a session cookie must echo the session's CSRF token."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    if request.session.get(SESSION_USER) is None:
        # No logged-in session to ride on: the login check answers 401 (or the login page) instead.
        return
    expected = request.session.get(SESSION_CSRF)
    sent = request.headers.get("x-csrf-token")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")


CsrfChecked = Depends(verify_csrf)
