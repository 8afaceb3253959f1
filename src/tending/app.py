"""The FastAPI application: JSON API under /api/v1 and the server-rendered dashboard.

Each domain contributes `router` objects from its `views.py` (API) and `pages.py` (dashboard); they are
discovered here so domains stay independent of one another.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import tending
from tending.auth.deps import LoginRequired
from tending.config import Settings, get_settings
from tending.database.core import make_engine, make_session_factory
from tending.discovery import Declaration, import_declarations
from tending.error_pages import error_page, is_api
from tending.error_pages import install as install_error_pages
from tending.keys.service import session_secret
from tending.server.bodylimit import BodyLimit

STATIC_DIR = Path(__file__).parent / "static"


def _domain_routers(kind: Declaration) -> list[object]:
    modules = import_declarations(kind)
    return [module.router for module in modules if getattr(module, "router", None) is not None]


SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'",
    ),
)


class SecurityHeaders:
    """Adds the security headers to every HTTP response (unless a route set its own).

    A plain ASGI middleware rather than `@app.middleware("http")`: that one runs each request through an
    extra task and stream, a cost every API call pays."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in SECURITY_HEADERS if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()  # the app's connections end with it, not when the process does

    app = FastAPI(
        lifespan=lifespan,
        title="tending",
        version=tending.__version__,
        description="A self-hosted social engagement desk.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie="tending_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies,
    )

    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    install_error_pages(app)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(request: Request, _exc: Exception) -> Response:
        # An id or number beyond what the database column holds names nothing that exists.
        message = "a number in the request is out of range"
        if is_api(request):
            return JSONResponse({"detail": message}, status_code=422)
        return error_page(request, 400, message)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.get("/health", tags=["health"])
    def health() -> JSONResponse:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return JSONResponse({"status": "ok", "version": tending.__version__})

    for router in _domain_routers(Declaration.views):
        app.include_router(router, prefix="/api/v1")  # type: ignore[arg-type]
    for router in _domain_routers(Declaration.pages):
        app.include_router(router, include_in_schema=False)  # type: ignore[arg-type]
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
