"""The cap on a message's text, shared by ingestion (what is stored) and `tending classify` (what is read),
in a module light enough for a CLI command to import before it answers."""

from __future__ import annotations

# Message text is capped at 64 KiB of UTF-8: a hundred times the longest post any network allows,
# and small enough that one message cannot take the triage worker's memory (a 50 MB message did).
TEXT_CAP_BYTES = 64 * 1024


def cap_utf8(value: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, cut on a character boundary."""
    if len(value) * 4 <= limit:
        return value
    data = value.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return value
    return data[:limit].decode("utf-8", "ignore")
