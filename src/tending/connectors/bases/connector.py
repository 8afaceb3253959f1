"""The small capability bases a connector implements; a connector picks those its network offers."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict

from tending.config import Settings
from tending.connectors.bases.items import FetchResult, MetricPoint, SentItem
from tending.connectors.http import CONTEXT_KEY, OutboundPolicy, check_outbound_url

# A connector setting holding an address the server will call: refused at validation when it can never
# be fetched (a private literal address, localhost, another scheme); the rest is checked when connecting.
OutboundUrl = Annotated[str, AfterValidator(check_outbound_url)]


def _setting_default(name: str) -> str:
    return str(Settings.model_fields[name].default)


@dataclass(frozen=True, slots=True)
class ConnectorContext:
    """What an install lets its connectors reach: non-public destinations on the allow-list, and the
    folder of the demo world when test connectors are enabled (None: they are not)."""

    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)
    demo_dir: Path | None = None
    # The install's API versions (settings `graph_api_version`, `linkedin_api_version`); the defaults
    # are the settings' own, so a version is written in one place.
    graph_api_version: str = field(default_factory=lambda: _setting_default("graph_api_version"))
    linkedin_api_version: str = field(default_factory=lambda: _setting_default("linkedin_api_version"))

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectorContext:
        return cls(
            outbound=OutboundPolicy.from_settings(settings),
            demo_dir=settings.demo_dir if settings.demo_connectors else None,
            graph_api_version=settings.graph_api_version,
            linkedin_api_version=settings.linkedin_api_version,
        )

    def validation(self) -> dict[str, Any]:
        """The Pydantic validation context of connector configurations."""
        return {CONTEXT_KEY: self.outbound, "demo_dir": self.demo_dir}


class ConnectorConfig(BaseModel):
    """Non-secret settings of a channel; each connector extends it."""

    model_config = ConfigDict(extra="allow")


class Connector:
    """Base of every connector: identity, configuration and credentials.

    Credentials arrive decrypted only for the call's duration; connectors must never log them.
    """

    slug: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    config_model: ClassVar[type[ConnectorConfig]] = ConnectorConfig
    # True for connectors made for tests and the demo: offered only where `demo_connectors` is set.
    demo_only: ClassVar[bool] = False

    def __init__(
        self,
        *,
        config: dict[str, Any] | None = None,
        credentials: dict[str, str] | None = None,
        context: ConnectorContext | None = None,
    ):
        # Without a context a connector reaches public addresses only and no demo files.
        self.context = context or ConnectorContext()
        self.config = self.config_model.model_validate(config or {}, context=self.context.validation())
        self.credentials = credentials or {}

    def close(self) -> None:
        """Release network clients; the default holds none."""

    def __repr__(self) -> str:  # never show credentials
        return f"<{type(self).__name__} slug={self.slug!r}>"


class ListenCapability(abc.ABC):
    @abc.abstractmethod
    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        """Return the inbound items after `cursor` and the cursor to store once they are saved."""


class ReplyCapability(abc.ABC):
    @abc.abstractmethod
    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        """Answer the item `parent_external_id` publicly (or in the same private thread)."""


class PublishCapability(abc.ABC):
    """A post must never go out twice. A publish whose outcome is unknown (time-out after the request left,
    a 5xx after the POST, an unreadable success, a crash before the id was saved) is retried only when
    the network deduplicates it (`idempotent_publish`: the same key or record key cannot make a second
    post) or after `find_published` looked for it among the channel's own recent posts."""

    # True where the network deduplicates by a key we choose, so a retry cannot make a second post.
    idempotent_publish: ClassVar[bool] = False

    @abc.abstractmethod
    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        """Publish a post. `idempotency_key` lets networks that support it refuse a second copy."""

    def find_published(
        self, *, text: str, idempotency_key: str, since: datetime, media_urls: list[str] | None = None
    ) -> SentItem | None:
        """The post an earlier attempt made, found on the network (the channel's own posts since `since`,
        matched on the key or the text); None when it is not there. Raises NotImplementedError where the
        network offers no such look-up, and a ConnectorError when the look-up itself fails."""
        raise NotImplementedError


def can_check_published(connector: object) -> bool:
    """Whether a publish of unknown outcome through this connector can be settled without a person."""
    if not isinstance(connector, PublishCapability):
        return False
    overridden = type(connector).find_published is not PublishCapability.find_published
    return connector.idempotent_publish or overridden


class MetricsCapability(abc.ABC):
    @abc.abstractmethod
    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Audience figures (followers, visits, page views...) between two times."""
