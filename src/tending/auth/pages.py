"""The login form."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tending.auth.deps import SESSION_USER, CsrfChecked, csrf_token
from tending.auth.service import TooManyAttempts, authenticate
from tending.database.core import DbSession
from tending.templating import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "auth/login.html", next=next)


@router.post("/login", dependencies=[CsrfChecked])
def login_submit(
    request: Request,
    db: DbSession,
    email: str = Form(...),
    password: str = Form(...),
    next: str | None = Form(None),
) -> Response:
    settings = request.app.state.settings
    address = request.client.host if request.client else ""
    try:
        user = authenticate(
            db, email=email, password=password, address=address, limit=settings.login_rate_limit
        )
    except TooManyAttempts as exc:
        return render(request, "auth/login.html", error=str(exc), email=email, next=next, status_code=429)
    if user is None:
        db.commit()
        return render(
            request,
            "auth/login.html",
            error="Wrong e-mail or password.",
            email=email,
            next=next,
            status_code=401,
        )
    request.session.clear()
    request.session[SESSION_USER] = user.id
    csrf_token(request)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
