"""Webhook notifications are stored in a task, so Meta's request is answered at once."""

from __future__ import annotations

from typing import Any

from tending.ingest.signals import after_ingest
from tending.webhooks.service import deliver_meta
from tending.worker import huey, runtime


@huey.task(retries=5, retry_delay=30)
def meta_notification_task(payload: dict[str, Any]) -> int:
    """Store a checked Meta notification and hand its new messages to triage and routing."""
    rt = runtime()
    delivery = deliver_meta(rt.session_factory, settings=rt.settings, payload=payload)
    after_ingest(delivery.new_message_ids)
    return len(delivery.new_message_ids)
