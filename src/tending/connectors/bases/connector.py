"""The small capability bases a connector implements; a connector picks those its network offers."""

from __future__ import annotations

import abc
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from tending.connectors.bases.items import FetchResult, MetricPoint, SentItem


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

    def __init__(self, *, config: dict[str, Any] | None = None, credentials: dict[str, str] | None = None):
        self.config = self.config_model.model_validate(config or {})
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
    # True where the network deduplicates by idempotency key, so a publish interrupted by a crash may be
    # retried safely; otherwise a person checks the channel first.
    idempotent_publish: ClassVar[bool] = False

    @abc.abstractmethod
    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        """Publish a post. `idempotency_key` lets networks that support it refuse a second copy."""


class MetricsCapability(abc.ABC):
    @abc.abstractmethod
    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Audience figures (followers, visits, page views...) between two times."""
