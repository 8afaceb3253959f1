"""Periodic routing of conversations that arrived without an owner."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy import select

from tending.database.core import session_scope, utcnow
from tending.routing.service import RoutingError, route_unassigned
from tending.worker import huey, runtime
from tending.workspace.models import Workspace

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="*"))
def route_all_workspaces() -> int:
    """Route every workspace's unassigned conversations, one transaction per workspace."""
    rt = runtime()
    with rt.session_factory() as session:
        ws_ids = list(session.scalars(select(Workspace.id)))
    routed = 0
    for ws_id in ws_ids:
        try:
            with session_scope(rt.session_factory) as session:
                routed += len(route_unassigned(session, workspace_id=ws_id, now=utcnow()))
        except RoutingError as exc:  # a workspace with nobody in it must not stop the others
            log.error("routing workspace %s: %s", ws_id, exc)
    return routed
