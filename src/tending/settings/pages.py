"""The settings index: every setting of the response desk one click away from here, two from anywhere."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from tending.answers.models import PreparedAnswer
from tending.auth.deps import PagePrincipal
from tending.channel.models import Channel
from tending.database.core import Base, DbSession
from tending.routing.models import RoutingRule
from tending.sla.models import AlertDestination, SlaPolicy
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context

router = APIRouter()
NAV = [(90, "settings", "Settings", "/settings")]


def sections(slug: str) -> list[dict[str, str]]:
    """The settings sections, in the order pages list them; cadence targets are set per channel."""
    base = f"/w/{slug}"
    return [
        {"key": "channels", "label": "Channels & credentials", "href": f"{base}/channels"},
        {"key": "cadence", "label": "Cadence targets", "href": f"{base}/channels#cadence"},
        {"key": "routing", "label": "Routing rules", "href": f"{base}/settings/routing"},
        {"key": "sla", "label": "SLA policies", "href": f"{base}/settings/sla"},
        {"key": "alerts", "label": "Alert destinations", "href": f"{base}/settings/alerts"},
        {"key": "answers", "label": "Prepared answers", "href": f"{base}/settings/answers"},
    ]


def section_context(slug: str, current: str) -> dict[str, Any]:
    """What a settings section's template needs for the shared section list."""
    return {"sections": sections(slug), "section": current}


def _count(db: DbSession, model: type[Base], workspace_id: int) -> int:
    column = model.__table__.c.workspace_id
    return int(db.scalar(select(func.count()).where(column == workspace_id)) or 0)


@router.get("/w/{slug}/settings")
def settings_page(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    counts = {
        "channels": _count(db, Channel, workspace.id),
        "routing": _count(db, RoutingRule, workspace.id),
        "sla": _count(db, SlaPolicy, workspace.id),
        "alerts": _count(db, AlertDestination, workspace.id),
        "answers": _count(db, PreparedAnswer, workspace.id),
    }
    return render(
        request,
        "settings/index.html",
        principal=principal,
        counts=counts,
        **section_context(workspace.slug, ""),
        **page_context(db, principal, workspace, "settings"),
    )
