"""Capability bases and the shared shapes of connectors."""

from tending.connectors.bases.connector import (
    Connector,
    ConnectorConfig,
    ListenCapability,
    MetricsCapability,
    PublishCapability,
    ReplyCapability,
)
from tending.connectors.bases.errors import (
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)
from tending.connectors.bases.items import AuthorProfile, FetchResult, InboundItem, MetricPoint, SentItem

__all__ = [
    "AuthExpired",
    "AuthorProfile",
    "Connector",
    "ConnectorConfig",
    "ConnectorError",
    "FetchResult",
    "InboundItem",
    "ListenCapability",
    "MalformedResponse",
    "MetricPoint",
    "MetricsCapability",
    "NotPermitted",
    "PublishCapability",
    "RateLimited",
    "ReplyCapability",
    "SentItem",
    "UpstreamError",
]
