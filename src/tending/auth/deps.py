"""Request dependencies: who is calling, which workspace they may touch, and CSRF for cookie sessions."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tending.auth.models import ApiToken, Role, User, WorkspaceMembership
from tending.auth.service import (
    LoginLimits,
    authenticate,
    can_access,
    end_session,
    may_revoke_token,
    resolve_api_token,
    resolve_session,
    start_session,
)
from tending.database.core import DbSession
from tending.workspace.models import Workspace

# The cookie holds the random key of a server-side login session (see `LoginSession`), never a user id.
SESSION_KEY = "sid"
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
    key = request.session.get(SESSION_KEY)
    if key is None:
        return None
    user = resolve_session(db, key=str(key))
    if user is None:
        request.session.clear()
        return None
    return Principal(user=user)


def open_session(request: Request, db: Session, *, user: User) -> None:
    """Log `user` in on this browser: a fresh server-side session and a fresh CSRF token."""
    settings = request.app.state.settings
    key = start_session(db, user=user, max_age=timedelta(seconds=settings.session_max_age_s))
    request.session.clear()
    request.session[SESSION_KEY] = key
    csrf_token(request)


def login_or_none(request: Request, db: Session, *, email: str, password: str) -> User | None:
    """Check the credentials under the login limits and open a session; None when they are wrong.
    `TooManyAttempts` while locked.

    Commits either way before the response: a failure must count although the request ends in an
    error, and the browser follows the redirect after a login at once, before a commit made once the
    response is sent would land."""
    settings = request.app.state.settings
    address = request.client.host if request.client else ""
    user = authenticate(
        db, email=email, password=password, address=address, limits=LoginLimits.from_settings(settings)
    )
    if user is not None:
        open_session(request, db, user=user)
    db.commit()
    return user


def close_session(request: Request, db: Session) -> None:
    """Log out: the server-side session ends (committed before the response), so the cookie cannot be
    replayed."""
    key = request.session.get(SESSION_KEY)
    if key is not None:
        end_session(db, key=str(key))
        db.commit()
    request.session.clear()


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


def get_revocable_token(
    token_id: int, workspace: CurrentWorkspace, db: DbSession, principal: CurrentPrincipal
) -> ApiToken:
    """A token of this workspace that the caller may revoke (its owner or an admin)."""
    token = db.get(ApiToken, token_id)
    if token is None or token.workspace_id != workspace.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "token not found")
    if not may_revoke_token(principal.user, token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin or the token's owner may revoke it")
    return token


RevocableToken = Annotated[ApiToken, Depends(get_revocable_token)]


def get_admin_page_principal(principal: PagePrincipal) -> Principal:
    """An admin logged in on the dashboard (account management pages). An API token is scoped to one
    workspace, and accounts belong to none: a token never manages them."""
    if principal.user.role != Role.admin.value or principal.via_token:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only admins manage accounts")
    return principal


AdminPagePrincipal = Annotated[Principal, Depends(get_admin_page_principal)]


def get_managed_user(user_id: int, db: DbSession, _admin: AdminPagePrincipal) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such account")
    return user


ManagedUser = Annotated[User, Depends(get_managed_user)]


def _brand_member(principal: Principal) -> Principal:
    """Agency accounts work the inbox; the brand's own people (members and admins) decide what it shows,
    which channels it reads and how urgent a conversation is."""
    if principal.user.role == Role.agency.value:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "agency accounts may not do this; a brand member can")
    return principal


def get_brand_principal(principal: CurrentPrincipal) -> Principal:
    return _brand_member(principal)


def get_brand_page_principal(principal: PagePrincipal) -> Principal:
    return _brand_member(principal)


# Declare these after the workspace in a route, so that another workspace still answers 404.
BrandPrincipal = Annotated[Principal, Depends(get_brand_principal)]
BrandPagePrincipal = Annotated[Principal, Depends(get_brand_page_principal)]


async def verify_csrf(request: Request) -> None:
    """Unsafe requests made with a session cookie must echo the session's CSRF token."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    if request.session.get(SESSION_KEY) is None:
        # No logged-in session to ride on: the login check answers 401 (or the login page) instead.
        return
    await _check_csrf_token(request)


async def _check_csrf_token(request: Request) -> None:
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


def check_origin(request: Request) -> None:
    """A browser's cross-site POST names its site in `Origin` (or `Referer`); it must be this server.

    Requests without either header (command-line clients) pass: they carry no victim's cookies. Behind a
    reverse proxy the public host arrives as `Host` or `X-Forwarded-Host` (a header no cross-site form
    can set)."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent:
        return
    ours = {request.headers.get(h, "").lower() for h in ("host", "x-forwarded-host")} - {""}
    if urlsplit(sent).netloc.lower() not in ours:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "cross-site login refused")


async def verify_login_csrf(request: Request) -> None:
    """Login CSRF: a login form posted from another site (which would log the victim into the attacker's
    account) fails the Origin check and lacks the token the login page put in this browser's session."""
    check_origin(request)
    await _check_csrf_token(request)


CsrfChecked = Depends(verify_csrf)
LoginCsrfChecked = Depends(verify_login_csrf)
OriginChecked = Depends(check_origin)
