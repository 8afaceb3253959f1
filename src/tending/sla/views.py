"""Response figures over the API: what the response desk pages read, for dashboards and scripts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, status

from tending.auth.deps import CurrentWorkspace
from tending.database.core import DbSession, utcnow
from tending.sla.figures import response_figures

router = APIRouter(tags=["responses"])


@router.get("/workspaces/{workspace_id}/responses")
def get_response_figures(
    workspace: CurrentWorkspace,
    db: DbSession,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Defaults to the last 30 days so a bare call answers the question teams ask most."""
    now = utcnow()
    end = until or now
    start = since or end - timedelta(days=30)
    if start >= end:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "since must be before until")
    figures = response_figures(db, workspace_id=workspace.id, since=start, until=end, now=now)
    return figures.as_dict()
