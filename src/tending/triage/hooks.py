"""Triage new messages as they are stored (discovered by `tending.ingest.signals`)."""

from __future__ import annotations


def on_new_messages(message_ids: list[int]) -> None:
    from tending.triage.tasks import triage_task

    triage_task(message_ids)
