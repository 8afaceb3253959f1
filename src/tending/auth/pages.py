"""The login form, and the admins' page of accounts (deactivate, reactivate, reset a password)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from tending.auth.deps import (
    AdminPagePrincipal,
    CsrfChecked,
    LoginCsrfChecked,
    ManagedUser,
    close_session,
    login_or_none,
)
from tending.auth.models import NewPassword, User
from tending.auth.service import (
    TooManyAttempts,
    deactivate_user,
    reactivate_user,
    reset_password,
)
from tending.database.core import DbSession
from tending.templating import render
from tending.workspace.service import visible_to

router = APIRouter()


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "auth/login.html", next=next)


@router.post("/login", dependencies=[LoginCsrfChecked])
def login_submit(
    request: Request,
    db: DbSession,
    email: str = Form(...),
    password: str = Form(...),
    next: str | None = Form(None),
) -> Response:
    try:
        user = login_or_none(request, db, email=email, password=password)
    except TooManyAttempts as exc:
        page = render(request, "auth/login.html", error=str(exc), email=email, next=next, status_code=429)
        page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    if user is None:
        return render(
            request,
            "auth/login.html",
            error="Wrong e-mail or password.",
            email=email,
            next=next,
            status_code=401,
        )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, db: DbSession) -> Response:
    close_session(request, db)
    return RedirectResponse("/login", status_code=303)


DONE = {
    "deactivated": "Account deactivated: its sessions ended and its API tokens were revoked.",
    "reactivated": "Account reactivated; it logs in with its password (old API tokens stay revoked).",
    "password": "New password set; every session of that account ended.",
}


@router.get("/admin/accounts")
def accounts_page(
    request: Request, db: DbSession, principal: AdminPagePrincipal, done: str | None = None
) -> Response:
    users = list(db.scalars(select(User).order_by(User.active.desc(), User.name)))
    return render(
        request,
        "auth/accounts.html",
        principal=principal,
        users=users,
        notice=DONE.get(done or ""),
        workspaces=visible_to(db, user=principal.user),
    )


@router.post("/admin/accounts/{user_id}/deactivate", dependencies=[CsrfChecked])
def deactivate(db: DbSession, principal: AdminPagePrincipal, user: ManagedUser) -> Response:
    deactivate_user(db, user=user, actor_id=principal.user.id)  # or SelfDeactivation: 400
    db.commit()  # before the redirect: the next request must see the change
    return RedirectResponse("/admin/accounts?done=deactivated", status_code=303)


@router.post("/admin/accounts/{user_id}/reactivate", dependencies=[CsrfChecked])
def reactivate(db: DbSession, principal: AdminPagePrincipal, user: ManagedUser) -> Response:
    reactivate_user(db, user=user, actor_id=principal.user.id)
    db.commit()  # before the redirect: the next request must see the change
    return RedirectResponse("/admin/accounts?done=reactivated", status_code=303)


@router.post("/admin/accounts/{user_id}/password", dependencies=[CsrfChecked])
def set_password(
    db: DbSession, principal: AdminPagePrincipal, user: ManagedUser, password: str = Form(...)
) -> Response:
    new = NewPassword(password=password)  # or ValidationError: the page names the rule
    reset_password(db, user=user, password=new.password, actor_id=principal.user.id)
    db.commit()  # before the redirect: the next request must see the change
    return RedirectResponse("/admin/accounts?done=password", status_code=303)
