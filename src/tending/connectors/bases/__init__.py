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
    can_check_published,
)
from tending.connectors.bases.errors import (
    ApiVersionRefused,
    AuthExpired,
    ConnectorError,
    MalformedResponse,
    NotPermitted,
    RateLimited,
    UpstreamError,
)
from tending.connectors.bases.items import AuthorProfile, FetchResult, InboundItem, MetricPoint, SentItem
from tending.connectors.bases.review import ReviewCapability, ReviewDecision
from tending.connectors.bases.searching import SearchCapability, SearchQuery, SearchQuota

__all__ = [
    "ApiVersionRefused",
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
    "ReviewCapability",
    "ReviewDecision",
    "SearchCapability",
    "SearchQuery",
    "SearchQuota",
    "SentItem",
    "UpstreamError",
    "can_check_published",
]
