"""The one settings class. Every field carries a description; a test keeps README in step with it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """tending's configuration, read from `TENDING_*` environment variables or a `.env` file."""

    model_config = SettingsConfigDict(env_prefix="TENDING_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("tending-data"),
        description="Folder for the embedded mode: the SQLite database, the Huey queue and imports.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database. Empty means SQLite (WAL) at `<data_dir>/tending.db`; "
            "scaled mode uses `postgresql+psycopg://user@host/db`."
        ),
    )
    redis_url: str | None = Field(
        default=None,
        description=(
            "Redis URL for the Huey queue in scaled mode (`redis://127.0.0.1:6379/0`). "
            "Empty means a SQLite queue at `<data_dir>/queue.db`."
        ),
    )
    queue_immediate: bool = Field(
        default=False,
        description="Run background tasks inline instead of queueing them (tests and one-off scripts).",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Signs session cookies and CSRF tokens: a random value of at least 32 characters, the same on "
            "every web process (`tending keys generate`). Empty: a key generated once in "
            "`<data_dir>/secret.key`, which only a server on a loopback address may use. Changing it ends "
            "every login session and nothing else."
        ),
    )
    credentials_key: SecretStr | None = Field(
        default=None,
        description=(
            "Fernet key (urlsafe base64, 32 bytes) that encrypts channel credentials and alert URLs at "
            "rest, independent of `secret_key`. Empty: a key generated once in "
            "`<data_dir>/credentials.key` (embedded mode only; a shared database requires it set). "
            "Rotate by moving the old one to `credentials_old_keys` and running `tending keys reencrypt`."
        ),
    )
    credentials_old_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Previous credential keys still accepted for decryption during a key rotation.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the session cookie `Secure` (set true behind HTTPS).",
    )
    session_max_age_s: int = Field(
        default=14 * 24 * 3600, description="How long a login session lasts, in seconds."
    )
    login_rate_limit: int = Field(
        default=10,
        description=(
            "Failed logins allowed per account and source address within 15 minutes; after that, this "
            "account is locked for that address only, `login_lock_s` after each further failure."
        ),
    )
    login_lock_s: int = Field(
        default=60,
        description="How long an account and source address (or a spraying source) stays locked, in seconds.",
    )
    login_source_limit: int = Field(
        default=50,
        description=(
            "Failed logins allowed from one source address across all accounts within 15 minutes "
            "(stops password spraying); after that, that address is locked for `login_lock_s`."
        ),
    )
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024, description="Largest import file accepted through the web, in bytes."
    )
    ingest_batch_size: int = Field(
        default=5000, description="Items written per transaction during ingestion and imports."
    )
    poll_interval_s: int = Field(
        default=300, description="How often each channel is polled for new inbound items, in seconds."
    )
    worker_max_delay_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description=(
            "Longest pause, in seconds, of an idle `tending worker` between looks at a SQLite queue (it "
            "starts at 0.1 s and grows while the queue stays empty): bounds how late a webhook "
            "notification or a reply queued on a quiet desk is picked up. A Redis queue is waited on."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address the web server binds to.")
    port: int = Field(default=8000, description="Port the web server listens on.")
    smtp_url: str | None = Field(
        default=None,
        description=(
            "SMTP server for alert and digest e-mail, as `smtp://user:pass@host:port`. Empty: no e-mail."
        ),
    )
    mail_from: str = Field(default="tending@localhost", description="Sender address of e-mail tending sends.")
    embeddings: bool = Field(
        default=False,
        description="Use the MiniLM sentence-embedding triage model (needs the `tending[embeddings]` extra).",
    )
    log_level: str = Field(default="INFO", description="Logging level of the service and workers.")
    outbound_allow: list[str] = Field(
        default_factory=list,
        description=(
            "Hosts (`social.corp.example`, `*.corp.example`) and addresses or networks (`10.20.0.0/16`) "
            "that feeds, connectors and webhooks may reach although they are not public (JSON list); "
            "everything else private, loopback, link-local or metadata is refused."
        ),
    )
    graph_api_version: str = Field(
        default="v26.0",
        pattern=r"^v\d+\.\d+$",
        description=(
            "Meta Graph API version the Facebook and Instagram connectors call (`v26.0`; Meta lists the "
            "live ones in its Graph API changelog). A channel's `api_version` setting overrides it."
        ),
    )
    linkedin_api_version: str = Field(
        default="202607",
        pattern=r"^\d{6}$",
        description=(
            "Monthly `LinkedIn-Version` header (YYYYMM) of LinkedIn's versioned REST API; LinkedIn serves "
            "each for at least a year and refuses retired ones. A channel's `api_version` overrides it."
        ),
    )
    meta_app_secret: SecretStr | None = Field(
        default=None,
        description=(
            "App secret of the Meta app whose webhooks reach `/api/v1/webhooks/meta`: each notification's "
            "`X-Hub-Signature-256` is checked against it. Empty: Meta notifications are refused and "
            "Facebook and Instagram channels are polled only."
        ),
    )
    meta_verify_token: SecretStr | None = Field(
        default=None,
        description=(
            "The verify token typed into the Meta app's webhook settings; the subscription handshake is "
            "answered only when it matches. Empty: the handshake is refused."
        ),
    )
    demo_connectors: bool = Field(
        default=False,
        description=(
            "Offer the `fake` test connector, which reads files from `<data_dir>/demo` "
            "(`tending demo` and the tests turn it on; leave it off in production)."
        ),
    )

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file inside the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tending.db').resolve()}"

    @property
    def demo_dir(self) -> Path:
        """The folder of the demo world: the only place the `fake` connector may read."""
        return self.data_dir / "demo"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process from the environment."""
    return Settings()
