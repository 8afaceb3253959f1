"""Account roles, in a module of their own so the CLI can offer them without loading the tables."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """admin: every workspace; member: the workspaces they are on; agency: theirs, no channel management."""

    admin = "admin"
    member = "member"
    agency = "agency"
