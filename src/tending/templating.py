"""Jinja2 templates shared by every domain's pages (autoescaped: message text is hostile input)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

from tending.auth.deps import Principal, csrf_token
from tending.formatting import FILTERS

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _ago(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = (datetime.now(UTC) - value).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return "just now"


def _hm(hours: float | None) -> str:
    if hours is None:
        return "—"
    minutes = round(hours * 60)
    return f"{minutes // 60}h {minutes % 60:02d}m"


def json_island(value: Any) -> Markup:
    """JSON for a `<script type="application/json">` block; `<`, `>`, `&` escaped so text cannot end it."""
    text = (
        orjson.dumps(value).decode().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
    return Markup(text)


def safe_link(value: str | None) -> str | None:
    """The URL if it may become a link (http or https only); `javascript:` and friends stay text."""
    if not value:
        return None
    cleaned = "".join(ch for ch in value.strip() if ch >= " " and ch != "\x7f")
    scheme = cleaned.split(":", 1)[0].lower() if ":" in cleaned else ""
    return cleaned if scheme in {"http", "https"} else None


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(TEMPLATE_DIR))
    t.env.filters["ago"] = _ago
    t.env.filters["hm"] = _hm
    t.env.filters["json_island"] = json_island
    t.env.filters["safe_link"] = safe_link
    t.env.filters.update(FILTERS)
    return t


def render(
    request: Request, name: str, *, principal: Principal | None = None, status_code: int = 200, **context: Any
) -> Response:
    context.update(request=request, principal=principal, csrf=csrf_token(request))
    return templates().TemplateResponse(request, name, context, status_code=status_code)
