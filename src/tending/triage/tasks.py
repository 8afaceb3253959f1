"""Triage runs in the background right after ingestion."""

from __future__ import annotations

import threading

from tending.database.core import session_scope
from tending.triage.service import triage_messages
from tending.worker import huey, runtime


def _model() -> str:
    return "embeddings" if runtime().settings.embeddings else "default"


_loading = threading.Lock()


@huey.on_startup()
def load_triage_model() -> None:
    """Load the classifier when a consumer starts, not inside the first batch of messages it triages.
    Every worker thread calls this; the lock makes the first one load and the others wait for it."""
    from tending.triage.classify import classify_texts

    with _loading:
        classify_texts(["Is the espresso blend back in stock?"], model=_model())


@huey.task(retries=3, retry_delay=30)
def triage_task(message_ids: list[int]) -> int:
    rt = runtime()
    with session_scope(rt.session_factory) as session:
        return triage_messages(session, message_ids=message_ids, model=_model())
