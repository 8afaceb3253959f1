"""Campaign reactions to newly stored messages (discovered by `tending.ingest.signals`)."""

from __future__ import annotations


def on_new_messages(message_ids: list[int]) -> None:
    """Queue scenario matching for the batch, so ingestion does not wait on it."""
    from tending.campaign.tasks import match_scenarios_task

    match_scenarios_task(message_ids)
