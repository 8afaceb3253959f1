"""Domain errors: what a service raises when it refuses a request, and the HTTP status it means.

Services raise these instead of `HTTPException`, so they stay usable from the CLI and tasks; the app
installs one handler (`tending.error_pages`) that answers JSON under `/api` and a page in the dashboard's
layout everywhere else. A subclass picks its kind by inheriting from one of the kinds below.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the person can act on; `status_code` is its HTTP meaning."""

    status_code = 400

    def detail(self) -> Any:
        """What the API returns as `detail` (a sentence unless a subclass has more to say)."""
        return str(self)

    def headers(self) -> dict[str, str]:
        """Response headers the refusal needs (`Retry-After` for a limit)."""
        return {}


class Refused(DomainError):
    """The input names something invalid or outside the workspace; nothing was saved."""

    status_code = 400


class Forbidden(DomainError):
    """The caller's role may not do this."""

    status_code = 403


class NotFound(DomainError, LookupError):
    """The thing does not exist, or belongs to a workspace the caller cannot see."""

    status_code = 404


class Conflict(DomainError):
    """The thing's state forbids the action now (launched, already published...)."""

    status_code = 409


class TooMany(DomainError):
    """A limit on attempts was reached; trying again later may work."""

    status_code = 429
