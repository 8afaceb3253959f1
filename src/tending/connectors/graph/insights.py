"""Graph insights (`/{object-id}/insights`) read as metric points, in windows the API accepts."""

from __future__ import annotations

from datetime import datetime, timedelta

from tending.connectors.bases import MetricPoint
from tending.connectors.graph.client import GraphClient, data_list
from tending.connectors.watermark import parse_time


def read_insights(
    client: GraphClient,
    *,
    object_id: str,
    metrics: list[str],
    since: datetime,
    until: datetime,
    max_days: int,
    period: str = "day",
) -> list[MetricPoint]:
    """One point per metric and period end. Graph refuses ranges longer than `max_days`, so the span is
    read in consecutive windows; values that are breakdowns (objects) rather than numbers are skipped."""
    points: list[MetricPoint] = []
    if not metrics:
        return points
    start = since
    while start < until:
        end = min(start + timedelta(days=max_days), until)
        page = client.get(
            f"{object_id}/insights",
            params={
                "metric": ",".join(metrics),
                "period": period,
                "since": int(start.timestamp()),
                "until": int(end.timestamp()),
            },
            what="insights",
        )
        for series in data_list(page, what="insights", network=client.network):
            name = str(series.get("name") or "")
            for entry in series.get("values") or []:
                value = entry.get("value") if isinstance(entry, dict) else None
                at = parse_time(entry.get("end_time")) if isinstance(entry, dict) else None
                if name and at and isinstance(value, int | float) and not isinstance(value, bool):
                    points.append(MetricPoint(name=name, at=at, value=float(value)))
        start = end
    return points
