"""Credentials a connector renews itself (refreshed OAuth tokens, a refreshed session) and hands back
to be stored encrypted like the ones a person entered.

Networks that rotate refresh tokens (X, Bluesky) invalidate the old one as soon as the new one is
issued, so a renewed set must reach storage before anything else can fail: the sink the channel
installs writes it at once. Without a sink (tests, one-off scripts) renewals live in memory only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tending.connectors.watermark import parse_time

CredentialsSink = Callable[[dict[str, str]], None]

# Credential keys every renewing connector uses for the access and refresh tokens' end of life.
EXPIRES_AT = "expires_at"
REFRESH_EXPIRES_AT = "refresh_token_expires_at"
# Ask for a new access token this long before the network's stated expiry (clock skew, slow calls).
EARLY = timedelta(minutes=2)


class Renewing:
    """Mixin of connectors whose credentials change while they run; `credentials` is the connector's."""

    credentials: dict[str, str]
    credentials_sink: CredentialsSink | None = None

    def save_credentials(self, changes: dict[str, str]) -> None:
        """Merge `changes` into the credentials and hand the whole set to the sink when anything moved."""
        merged = {**self.credentials, **{k: v for k, v in changes.items() if v}}
        if merged == self.credentials:
            return
        self.credentials = merged
        if self.credentials_sink is not None:
            self.credentials_sink(dict(merged))

    def can_renew_credentials(self) -> bool:
        """Whether the stored credentials let the connector renew its access by itself."""
        return False

    def reconnect_by(self) -> datetime | None:
        """When a person must reconnect the channel at the latest: the refresh token's end where the
        access renews itself, else the access token's; None when the network states no end."""
        if self.can_renew_credentials():
            return parse_time(self.credentials.get(REFRESH_EXPIRES_AT))
        return self.access_expires_at()

    def access_expires_at(self) -> datetime | None:
        return parse_time(self.credentials.get(EXPIRES_AT))

    def access_expired(self, now: datetime | None = None) -> bool:
        """True when the stored access token has passed (or nearly passed) its stated expiry."""
        expires = self.access_expires_at()
        return expires is not None and (now or datetime.now(UTC)) >= expires - EARLY


def expiry_in(seconds: object, now: datetime | None = None) -> str:
    """The ISO time `seconds` (an OAuth `expires_in`) from now; empty when the network gave none."""
    try:
        delta = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return ((now or datetime.now(UTC)) + timedelta(seconds=delta)).isoformat()
