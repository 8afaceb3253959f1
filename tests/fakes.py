"""Stand-ins shared by every suite: what a test would otherwise copy into its own module."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any


@dataclass
class SmtpRecorder:
    """Stands in for an SMTP server: records the connections, logins and messages that reached it."""

    sent: list[EmailMessage] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    opened: list[tuple[str, int]] = field(default_factory=list)

    def connect(self, host: str, port: int, timeout: float = 0) -> _SmtpSession:
        """Called where the code calls `smtplib.SMTP(host, port, timeout=...)`."""
        self.opened.append((host, port))
        return _SmtpSession(self)


@dataclass
class _SmtpSession:
    server: SmtpRecorder

    def __enter__(self) -> _SmtpSession:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def starttls(self) -> None:
        pass

    def login(self, user: str, password: str) -> None:
        self.server.logins.append((user, password))

    def send_message(self, msg: EmailMessage) -> None:
        self.server.sent.append(msg)
