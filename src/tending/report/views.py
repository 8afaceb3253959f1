"""Data exports: `/api/v1/workspaces/{id}/exports/{table}.csv|json`, streamed, scoped to one workspace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from tending.auth.deps import CurrentWorkspace
from tending.database.core import utcnow
from tending.errors import NotFound
from tending.report.exports import EXPORTS, ExportFilters, csv_chunks, json_chunks
from tending.report.registry import ReportInputError, parse_moment

router = APIRouter(tags=["exports"])

MESSAGES_DEFAULT_DAYS = 30
MESSAGES_MAX_DAYS = 366


@router.get("/workspaces/{workspace_id}/exports/{name}")
def export_table(
    name: str,
    request: Request,
    workspace: CurrentWorkspace,
    since: str | None = Query(None, description="ISO date or date-time, included"),
    until: str | None = Query(None, description="ISO date or date-time, excluded"),
    status: str | None = None,
    channel_id: int | None = None,
    assignee_id: int | None = None,
    needs_reply: bool | None = None,
) -> StreamingResponse:
    """Every row of one table of the workspace; messages are bounded by a date range (default 30 days)."""
    table, _, ext = name.rpartition(".")
    export = EXPORTS.get(table)
    if export is None or ext not in ("csv", "json"):
        raise NotFound(f"no export {name!r}: use one of {', '.join(EXPORTS)} with .csv or .json")
    now = utcnow()
    start, end = parse_moment(since, "since"), parse_moment(until, "until")
    if table == "messages":
        end = end or now
        start = start or end - timedelta(days=MESSAGES_DEFAULT_DAYS)
        if end - start > timedelta(days=MESSAGES_MAX_DAYS):
            raise ReportInputError(f"since/until: at most {MESSAGES_MAX_DAYS} days of messages per export")
    if start is not None and end is not None and end <= start:
        raise ReportInputError("until: must be after since")
    filters = ExportFilters(
        since=start,
        until=end,
        status=status,
        channel_id=channel_id,
        assignee_id=assignee_id,
        needs_reply=needs_reply,
    )
    factory = request.app.state.session_factory
    workspace_id = workspace.id

    def body() -> Iterator[Any]:
        # Its own session: the request's one is closed once the handler returns, before streaming ends.
        with factory() as session:
            rows = export.rows(session, workspace_id, filters, now)
            if ext == "csv":
                yield from csv_chunks(export.columns, rows)
            else:
                yield from json_chunks(export.columns, rows)

    filename = f"{workspace.slug}-{table}.{ext}"
    media = "text/csv; charset=utf-8" if ext == "csv" else "application/json"
    return StreamingResponse(
        body(), media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
