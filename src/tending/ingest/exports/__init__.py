"""Readers of the networks' own data exports, by format name (see `tending.ingest.formats`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tending.ingest.formats import Reader

EXPORT_READERS: dict[str, Reader] = {}
