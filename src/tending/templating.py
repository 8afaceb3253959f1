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


def plural(count: int | None, word: str, many: str | None = None) -> str:
    """ "1 conversation", "1,204 conversations": numbers as people write them."""
    n = int(count or 0)
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def local_time(value: datetime | None, zone: str | None = None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time in the workspace's time zone, with the zone's abbreviation ("14:05 CET")."""
    if value is None:
        return ""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    local = value.astimezone(tz)
    return f"{local.strftime(fmt)} {local.tzname()}"


def due_text(due_at: datetime | None, now: datetime | None = None) -> str:
    """ "due in 2h 10m" or "late by 1d 3h": what a deadline means now, in the largest two units."""
    if due_at is None:
        return ""
    seconds = (due_at - (now or datetime.now(UTC))).total_seconds()
    left = abs(int(seconds)) // 60
    days, hours, minutes = left // 1440, left // 60 % 24, left % 60
    span = f"{days}d {hours}h" if days else (f"{hours}h {minutes:02d}m" if hours else f"{minutes}m")
    return f"due in {span}" if seconds >= 0 else f"late by {span}"


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
    t.env.filters["plural"] = plural
    t.env.filters["local_time"] = local_time
    t.env.filters["due_text"] = due_text
    return t


def render(
    request: Request, name: str, *, principal: Principal | None = None, status_code: int = 200, **context: Any
) -> Response:
    context.update(request=request, principal=principal, csrf=csrf_token(request))
    return templates().TemplateResponse(request, name, context, status_code=status_code)
