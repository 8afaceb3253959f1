"""Login, logout and API tokens over JSON."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from tending.auth.deps import (
    CsrfChecked,
    CurrentPrincipal,
    OriginChecked,
    RevocableToken,
    close_session,
    csrf_token,
    get_workspace,
    login_or_none,
)
from tending.auth.models import ApiTokenCreate, ApiTokenCreated, LoginRequest, UserRead
from tending.auth.service import create_api_token, revoke_api_token
from tending.database.core import DbSession

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=UserRead, dependencies=[OriginChecked])
def login(body: LoginRequest, request: Request, db: DbSession) -> UserRead:
    user = login_or_none(request, db, email=body.email, password=body.password)  # or TooManyAttempts: 429
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong e-mail or password")
    return UserRead.model_validate(user)


@router.post("/auth/logout", dependencies=[CsrfChecked])
def logout(request: Request, db: DbSession) -> dict[str, str]:
    close_session(request, db)
    return {"status": "logged out"}


@router.get("/me", response_model=UserRead)
def me(principal: CurrentPrincipal) -> UserRead:
    return UserRead.model_validate(principal.user)


@router.get("/auth/csrf")
def csrf(request: Request, principal: CurrentPrincipal) -> dict[str, str]:
    """The session's CSRF token, for API clients that log in with a cookie."""
    return {"csrf_token": csrf_token(request)}


@router.post("/workspaces/{workspace_id}/tokens", response_model=ApiTokenCreated, dependencies=[CsrfChecked])
def new_token(
    workspace_id: int, body: ApiTokenCreate, db: DbSession, principal: CurrentPrincipal
) -> ApiTokenCreated:
    workspace = get_workspace(workspace_id, db, principal)
    if principal.via_token:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "an API token cannot create tokens")
    row, token = create_api_token(db, user=principal.user, workspace_id=workspace.id, name=body.name)
    return ApiTokenCreated(id=row.id, name=row.name, token=token)


@router.delete("/workspaces/{workspace_id}/tokens/{token_id}", dependencies=[CsrfChecked])
def delete_token(token: RevocableToken, db: DbSession, principal: CurrentPrincipal) -> dict[str, str]:
    revoke_api_token(db, token=token, actor=principal.user)
    db.commit()  # revoked before the caller hears so
    return {"status": "revoked"}
