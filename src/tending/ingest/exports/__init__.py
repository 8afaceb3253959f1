"""Readers of the networks' own data exports, by format name (see `tending.ingest.formats`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tending.ingest.exports import (
    facebook_export,
    instagram_export,
    linkedin_export,
    mastodon_outbox,
    reddit_export,
    x_archive,
    youtube_takeout,
)

if TYPE_CHECKING:
    from tending.ingest.formats import Reader

EXPORT_READERS: dict[str, Reader] = {
    "x-archive": x_archive.read,
    "facebook-export": facebook_export.read,
    "instagram-export": instagram_export.read,
    "youtube-takeout": youtube_takeout.read,
    "linkedin-export": linkedin_export.read,
    "mastodon-outbox": mastodon_outbox.read,
    "reddit-export": reddit_export.read,
}
