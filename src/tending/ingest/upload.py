"""A file a person uploads into a channel: written to a temporary file within the size limit, imported
by the resumable file import (in sessions of its own), and audited."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from tending.audit.service import record
from tending.channel.models import Channel
from tending.config import Settings
from tending.errors import DomainError, Refused
from tending.ingest.fileimport import ImportFailed, ImportOutcome, import_file
from tending.ingest.generic import RecordError

CHUNK_BYTES = 1 << 20


class UploadTooLarge(DomainError):
    status_code = 413


class ImportRefused(Refused):
    """The file cannot be imported as a whole (unknown format, unreadable); nothing was stored."""


def import_upload(
    session: Session,
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    channel: Channel,
    actor_id: int,
    stream: BinaryIO,
    filename: str | None,
    fmt: str | None,
) -> ImportOutcome:
    """Import the uploaded file into `channel`; its records are committed batch by batch by the import
    itself, the audit entry goes with `session`'s transaction."""
    suffix = Path(filename or "upload.jsonl").suffix or ".jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"upload{suffix}"
        written = 0
        with target.open("wb") as out:
            while chunk := stream.read(CHUNK_BYTES):
                written += len(chunk)
                if written > settings.max_upload_bytes:
                    raise UploadTooLarge("file larger than allowed")
                out.write(chunk)
        try:
            outcome = import_file(
                factory,
                channel_id=channel.id,
                path=target,
                fmt=fmt,
                batch_size=settings.ingest_batch_size,
                keep_new_ids=False,
            )
        except (ImportFailed, RecordError) as exc:
            raise ImportRefused(str(exc)) from None
    record(
        session,
        workspace_id=channel.workspace_id,
        actor_id=actor_id,
        action="channel.import",
        target_type="channel",
        target_id=channel.id,
        detail={"file": filename, "new": outcome.new, "errors": outcome.error_count},
    )
    return outcome
