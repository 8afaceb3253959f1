"""Errors every connector raises in the same words, whatever the network said."""

from __future__ import annotations


class ConnectorError(Exception):
    """A network call failed; `retryable` says whether trying again later may help."""

    retryable = False

    def __init__(self, message: str, *, network: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.network = network
        self.status = status

    def __str__(self) -> str:
        prefix = f"{self.network}: " if self.network else ""
        return f"{prefix}{self.args[0]}"


class AuthExpired(ConnectorError):
    """The token was refused (expired, revoked): a person must reconnect the channel."""


class ApiVersionRefused(ConnectorError):
    """The network no longer serves the API version we call: a person updates `setting` (no retry helps)."""

    def __init__(self, message: str, *, setting: str, network: str = "", status: int | None = None) -> None:
        super().__init__(message, network=network, status=status)
        self.setting = setting


class NotPermitted(ConnectorError):
    """The account or API tier may not do this (for example X's free tier cannot read)."""


class RateLimited(ConnectorError):
    """The network asked us to slow down; `retry_after` is in seconds."""

    retryable = True

    def __init__(
        self, message: str, *, retry_after: float = 60.0, network: str = "", status: int | None = 429
    ):
        super().__init__(message, network=network, status=status)
        self.retry_after = retry_after


class UpstreamError(ConnectorError):
    """The network failed (5xx, time-out, connection reset): try again with backoff."""

    retryable = True


class MalformedResponse(ConnectorError):
    """The network answered with something we cannot read; nothing is stored from it."""

    retryable = True
