"""The demo's stand-in for `tending worker`: the periodic tasks, run once a minute in the serving process.

The demo runs background work inline (no queue, no consumer), so without this the minute jobs (polling,
routing, SLA checks, scheduled posts, spike scans) would wait for someone to start `tending worker`. A
production desk runs real consumers instead; this ticker only exists for the single-process demo.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from huey import Huey

log = logging.getLogger(__name__)


def run_due(huey: Huey, *, now: datetime) -> list[str]:
    """Run every periodic task whose schedule matches `now` (a UTC minute); a failing task is logged and
    does not stop the others. Returns the names of the tasks run."""
    ran = []
    for task in huey.read_periodic(now.replace(second=0, microsecond=0, tzinfo=None)):
        try:
            huey.execute(task)
        except Exception:  # one broken job must not silence the rest of the minute
            log.exception("periodic task %s failed", task.name)
        ran.append(task.name)
    return ran


def start_ticker(huey: Huey) -> threading.Event:
    """Start a daemon thread that calls `run_due` at the top of every minute; set the event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(60 - datetime.now(UTC).second + 0.5):
            run_due(huey, now=datetime.now(UTC))

    threading.Thread(target=loop, name="tending-demo-ticker", daemon=True).start()
    return stop
