"""Every error answered once, in the form its caller reads: JSON under `/api`, a page in the dashboard's
layout everywhere else (a person who follows a stale link or posts a bad form sees the desk, not JSON).

`install` adds the handlers; views and pages raise `DomainError`s or `HTTPException`s and never catch
them to translate."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tending.auth.deps import SESSION_KEY, Principal
from tending.auth.service import can_access, resolve_session
from tending.errors import DomainError
from tending.templating import render
from tending.workspace.pages import page_context
from tending.workspace.service import get_by_slug

log = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/health")
TITLES = {
    400: "That was not saved",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    405: "Not possible here",
    409: "Not possible now",
    413: "Too large",
    422: "That was not saved",
    429: "Too many attempts",
}
HINTS = {
    403: "Your role or this session may not do this. If you think it should, ask an admin.",
    404: "The page or the item does not exist, or it belongs to a workspace you are not on.",
    409: "The item changed state (launched, published, sent back...); reload it to see where it stands.",
    500: "Something broke on our side; nothing you sent was saved. Try again, or tell an admin.",
}
_SLUG = re.compile(r"^/w/([^/]+)")


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIXES)


def _layout(request: Request) -> dict[str, Any]:
    """The signed-in person and the workspace named in the path, for the top bar; nothing if either
    cannot be read (the error may be the database itself)."""
    if "session" not in request.scope or request.session.get(SESSION_KEY) is None:
        return {}
    try:
        with request.app.state.session_factory() as db:
            user = resolve_session(db, key=str(request.session[SESSION_KEY]))
            if user is None or not user.active:
                return {}
            principal = Principal(user=user)
            found = _SLUG.match(request.url.path)
            workspace = get_by_slug(db, slug=found.group(1)) if found else None
            if workspace is None or not can_access(db, user=user, workspace_id=workspace.id):
                return {"principal": principal}
            context = page_context(db, principal, workspace, "")
            db.expunge_all()
            return {"principal": principal, **context}
    except Exception:  # the page must render even when the database is what failed
        log.exception("error page without layout context")
        return {}


def error_page(
    request: Request,
    status_code: int,
    message: str,
    *,
    problems: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    context = _layout(request)
    referer = request.headers.get("referer", "")
    same_site = referer.startswith(str(request.base_url)) and referer != str(request.url)
    response = render(
        request,
        "error.html",
        principal=context.pop("principal", None),
        status_code=status_code,
        code=status_code,
        title=TITLES.get(status_code, "Something went wrong"),
        message=message,
        problems=problems or [],
        hint=HINTS.get(status_code, ""),
        back=referer if same_site else None,
        **context,
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _sentence(detail: Any) -> str:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, dict) and "message" in detail:
        return str(detail["message"])
    return "the request was refused"


def _problems(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [str(p) for p in detail.get("missing", [])]
    return []


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path")) or "form"


def install(app: FastAPI) -> None:
    """Add the handlers; called once by `create_app`."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if is_api(request):
            return JSONResponse({"detail": exc.detail()}, status_code=exc.status_code, headers=exc.headers())
        detail = exc.detail()
        return error_page(
            request, exc.status_code, _sentence(detail), problems=_problems(detail), headers=exc.headers()
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request) or exc.status_code < 400:
            return await http_exception_handler(request, exc)
        return error_page(
            request,
            exc.status_code,
            _sentence(exc.detail),
            problems=_problems(exc.detail),
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(RequestValidationError)
    async def bad_form(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return await request_validation_exception_handler(request, exc)
        problems = [f"{_field(e['loc'])}: {e['msg']}" for e in exc.errors()]
        return error_page(request, 400, "Some fields were not filled in as expected.", problems=problems)

    @app.exception_handler(ValidationError)
    async def bad_value(request: Request, exc: ValidationError) -> Response:
        # An edge model built by the route from what was sent (a form's JSON field, a parsed file):
        # the input was wrong, as with a body FastAPI validated itself.
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        if is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        problems = [f"{_field(e['loc'])}: {e['msg']}" for e in errors]
        return error_page(request, 400, "Some fields were not filled in as expected.", problems=problems)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        # Starlette logs the traceback and re-raises after this answer; the person gets a page.
        if is_api(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return error_page(request, 500, "The desk could not finish this request.")
