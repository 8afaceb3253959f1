"""Instagram publishing checks: the account's 24-hour quota before anything is created, and each media
container's `status_code` before it is published.

Instagram publishes at most `quota_total` posts (50) per `quota_duration` (24 hours) per account, read
from `GET /{ig-user-id}/content_publishing_limit?fields=config,quota_usage`; a container is published
only once `GET /{container-id}?fields=status_code` says `FINISHED` (`IN_PROGRESS` is asked again a few
seconds later; `ERROR` and `EXPIRED` are final). Nothing is posted when a check stops the publication,
so the post is retried later (quota, still processing) or fails with the reason (error, expired).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tending.connectors.bases import ConnectorError, MalformedResponse, RateLimited
from tending.connectors.graph.client import GraphClient, data_list
from tending.connectors.instagram.client import NETWORK

STATUS_CHECKS = 6
STATUS_WAIT_S = 5.0
QUOTA_WAIT_S = 3600.0
_PROCESSING_WAIT_S = 120.0


def check_publishing_quota(graph: GraphClient, account: str) -> None:
    """Raise RateLimited when the account has used its 24-hour publishing quota."""
    answer = graph.get(
        f"{account}/content_publishing_limit",
        params={"fields": "config,quota_usage"},
        what="publishing limit",
    )
    rows = data_list(answer, what="publishing limit", network=NETWORK)
    if not rows:
        return
    usage, config = rows[0].get("quota_usage"), rows[0].get("config") or {}
    total = config.get("quota_total") if isinstance(config, dict) else None
    if isinstance(usage, int) and isinstance(total, int) and usage >= total:
        hours = int(config.get("quota_duration") or 86400) // 3600
        raise RateLimited(
            f"the account has published {usage} of its {total} posts allowed per {hours} hours; "
            "the post is retried in an hour",
            retry_after=QUOTA_WAIT_S,
            network=NETWORK,
        )


def wait_until_ready(
    graph: GraphClient,
    container_id: str,
    *,
    checks: int = STATUS_CHECKS,
    wait_s: float = STATUS_WAIT_S,
    sleep: Callable[[float], Any] = time.sleep,
) -> None:
    """Return once the container is FINISHED; raise with Instagram's status otherwise."""
    for attempt in range(checks):
        answer = graph.get(
            container_id, params={"fields": "status_code,status"}, what="media container status"
        )
        code = str(answer.get("status_code") or "")
        if code in ("FINISHED", "PUBLISHED"):
            return
        if code in ("ERROR", "EXPIRED"):
            detail = f" ({answer['status']})" if answer.get("status") else ""
            raise ConnectorError(
                f"Instagram could not prepare the media: container {code}{detail}; check the image "
                "(JPEG, at most 8 MB, aspect ratio between 4:5 and 1.91:1) and schedule again",
                network=NETWORK,
            )
        if code != "IN_PROGRESS":
            raise MalformedResponse(f"media container status: unknown status_code {code!r}", network=NETWORK)
        if attempt + 1 < checks:
            sleep(wait_s)
    raise RateLimited(
        "Instagram is still processing the media; the post is retried in two minutes",
        retry_after=_PROCESSING_WAIT_S,
        network=NETWORK,
    )
