"""Capability bases and the shared shapes of connectors."""

from tending.connectors.bases.connector import (
    Connector,
    ConnectorConfig,
    ConnectorContext,
    ListenCapability,
    MetricsCapability,
    OutboundUrl,
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
from tending.connectors.bases.searching import SearchCapability, SearchQuery, SearchQuota

__all__ = [
    "AuthExpired",
    "AuthorProfile",
    "Connector",
    "ConnectorConfig",
    "ConnectorContext",
    "ConnectorError",
    "FetchResult",
    "InboundItem",
    "ListenCapability",
    "MalformedResponse",
    "MetricPoint",
    "MetricsCapability",
    "NotPermitted",
    "OutboundUrl",
    "PublishCapability",
    "RateLimited",
    "ReplyCapability",
    "SearchCapability",
    "SearchQuery",
    "SearchQuota",
    "SentItem",
    "UpstreamError",
]
