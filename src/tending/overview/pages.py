"""The overview: what waits for an answer, how fast the team answers, volume and tone, channels at risk."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tending.alerts import service as alerts_service
from tending.audience.service import growth_audit
from tending.auth.deps import PagePrincipal
from tending.cadence.service import channel_health
from tending.community.vitality import latest_vitality
from tending.database.core import DbSession, utcnow
from tending.overview import service
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context

router = APIRouter()


@router.get("/w/{slug}/overview")
def overview(request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace) -> Response:
    now = utcnow()
    days = (
        int(request.query_params.get("days", "30"))
        if request.query_params.get("days", "30").isdigit()
        else 30
    )
    days = max(7, min(days, 365))
    waiting = service.waiting_by_age(db, workspace_id=workspace.id, timezone=workspace.timezone, now=now)
    tone = service.daily_volume(db, workspace_id=workspace.id, since=now - timedelta(days=days), until=now)
    total, answered = service.response_rate(db, workspace_id=workspace.id, since=now - timedelta(days=days))
    median_h, p90_h = service.first_response_hours(
        db, workspace_id=workspace.id, since=now - timedelta(days=days)
    )
    health = channel_health(db, workspace_id=workspace.id, now=now)
    risks: dict[str, list[str]] = {h.name: list(h.problems) for h in health if h.at_risk}
    for v in latest_vitality(db, workspace_id=workspace.id, now=now):
        if v.status != "alive":
            risks.setdefault(v.name, []).append(f"community {v.status}: {'; '.join(v.reasons)}")
    for g in growth_audit(db, workspace_id=workspace.id, since=now - timedelta(days=days), until=now):
        for j in g.jumps:
            if j.verdict != "likely genuine":
                risks.setdefault(g.channel, []).append(
                    f"{j.verdict} {j.metric} jump on {j.day.isoformat()} ({j.before:,.0f} → {j.after:,.0f})"
                )
    incidents = alerts_service.needing_attention(db, workspace_id=workspace.id, limit=5)
    alert_counts = alerts_service.count_by_state(db, workspace_id=workspace.id)
    chart = {
        "labels": [d.day for d in tone],
        "volume": [d.inbound for d in tone],
        "negative_share": [round(100 * d.negative_share, 1) for d in tone],
    }
    return render(
        request,
        "overview/index.html",
        principal=principal,
        waiting=waiting,
        waiting_total=sum(b.count for b in waiting),
        waiting_off_hours=sum(b.off_hours for b in waiting),
        response_total=total,
        response_answered=answered,
        days=days,
        health=health,
        risks=risks,
        median_h=median_h,
        p90_h=p90_h,
        chart=chart,
        incidents=alerts_service.describe(db, workspace, incidents, evidence=0),
        alert_counts=alert_counts,
        **page_context(db, principal, workspace, "overview"),
    )
