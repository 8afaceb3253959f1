"""A campaign's life cycle, in a module of its own so the CLI can offer it without loading the tables."""

from __future__ import annotations

import enum


class CampaignStatus(enum.StrEnum):
    draft = "draft"
    launched = "launched"
    ended = "ended"
