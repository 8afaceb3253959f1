"""File imports: resumable (progress committed with each batch) and idempotent (same file twice = no-op)."""

from __future__ import annotations

import errno
import gc
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tending.channel.models import Channel
from tending.connectors.bases.items import InboundItem
from tending.database.core import utcnow
from tending.ingest.formats import guess_format, readers
from tending.ingest.generic import RecordError
from tending.ingest.models import ImportJob
from tending.ingest.service import IngestCache, IngestStats, ingest_items
from tending.inputfiles import InputFileError, check_text_file

MAX_REPORTED_ERRORS = 100


class ImportFailed(RuntimeError):
    pass


@dataclass
class ImportOutcome:
    job_id: int
    records: int = 0
    new: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    resumed_from: int = 0
    already_done: bool = False
    new_message_ids: list[int] = field(default_factory=list)


def _storage_reason(exc: BaseException) -> str:
    """A person-readable cause; a full disk or database says so instead of a driver traceback."""
    text = str(getattr(exc, "orig", None) or exc)
    lowered = text.lower()
    if "full" in lowered or "no space" in lowered or getattr(exc, "errno", None) == errno.ENOSPC:
        return f"storage is full ({text.splitlines()[0]}); free space and import again"
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def _collector_eased() -> Iterator[None]:
    """Keep the objects that existed before the import out of the garbage collector's full passes, and
    collect the youngest objects less often while batches are built.

    Every batch leaves enough surviving objects to trigger full collections, and each would walk every
    object of the process (models, metadata, modules) again: about a tenth of an import's time. The
    batches hold few reference cycles, so collecting them every 50,000 allocations instead of 700 only
    delays a little garbage.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def file_digest(path: Path) -> str:
    """SHA-256 of a file, or of every file of an export folder (names and contents, in order)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            h.update(str(f.relative_to(path)).encode() + b"\0")
        with f.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return h.hexdigest()


def import_file(
    factory: sessionmaker[Session],
    *,
    channel_id: int,
    path: Path,
    fmt: str | None = None,
    batch_size: int = 5000,
    on_progress: Callable[[int], None] | None = None,
    keep_new_ids: bool = True,
) -> ImportOutcome:
    """Import a file into a channel. Bad records are reported by file and line; the rest is stored.

    A crash loses at most the batch in flight: the job's position is committed with each batch and the
    next run of the same file resumes after it. Re-importing a finished file stores nothing twice.
    """
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    if path.is_file():
        try:
            check_text_file(path)  # a binary or UTF-16 file is one clear line, not a line of errors each
        except InputFileError as exc:
            raise ImportFailed(str(exc)) from None
    fmt = fmt or guess_format(path)
    reader = readers().get(fmt)
    if reader is None:
        raise ImportFailed(f"unknown format {fmt!r}; known: {', '.join(sorted(readers()))}")
    digest = file_digest(path)
    with factory() as session:
        channel = session.get(Channel, channel_id)
        if channel is None:
            raise ImportFailed(f"channel {channel_id} does not exist")
        job = session.scalar(
            select(ImportJob)
            .where(ImportJob.channel_id == channel_id, ImportJob.source_sha256 == digest)
            .order_by(ImportJob.id.desc())
        )
        if job is None:
            job = ImportJob(
                workspace_id=channel.workspace_id,
                channel_id=channel_id,
                source_name=path.name,
                source_sha256=digest,
                format=fmt,
            )
            session.add(job)
            session.commit()
        outcome = ImportOutcome(job_id=job.id, resumed_from=job.records_done)
        if job.status == "done":
            outcome.already_done = True
            outcome.records = job.records_done
            return outcome
        job.status = "running"
        session.commit()
        skip = job.records_done
        cache = IngestCache()
        batch: list[InboundItem] = []
        positions: list[int] = []  # each batch item's line or record number, to name those set aside
        seen = 0

        def report(position: int | str, reason: str | None) -> None:
            outcome.error_count += 1
            if len(outcome.errors) < MAX_REPORTED_ERRORS:
                outcome.errors.append(f"{path.name}:{position}: {reason}")

        def flush() -> None:
            stats: IngestStats = ingest_items(session, channel=channel, items=batch, cache=cache)
            for aside in stats.set_aside:
                report(positions[aside.index], aside.describe())
            job.records_done = seen
            job.messages_new += stats.new
            session.commit()  # the batch and the position land together
            outcome.new += stats.new
            outcome.duplicates += stats.duplicates
            if keep_new_ids:
                outcome.new_message_ids.extend(stats.new_message_ids)
            batch.clear()
            positions.clear()
            if on_progress:
                on_progress(seen)

        try:
            with _collector_eased():
                for parsed in reader(path):
                    seen += 1
                    if seen <= skip:
                        continue
                    if parsed.item is None:
                        report(parsed.position, parsed.error)
                        continue
                    batch.append(parsed.item)
                    positions.append(parsed.position)
                    if len(batch) >= batch_size:
                        flush()
                if batch:
                    flush()
        except (RecordError, InputFileError, OSError, UnicodeDecodeError, OperationalError) as exc:
            session.rollback()
            reason = _storage_reason(exc)
            message = f"{path.name}: {reason}; {job.records_done} records stored, the next run resumes there"
            try:
                job.status = "failed"
                job.error = message
                session.commit()
            except OperationalError:
                # The database cannot take even this small write (full disk): the job stays "running"
                # with its committed position, which resumes the same way.
                session.rollback()
            raise ImportFailed(message) from exc
        job.records_done = seen
        job.status = "done"
        job.finished_at = utcnow()
        if outcome.error_count:
            job.error = f"{outcome.error_count} bad records; first: {outcome.errors[0]}"
        session.commit()
        outcome.records = seen
        return outcome
