"""YouTube channels through the YouTube Data API v3."""

from tending.connectors.youtube.connector import YouTubeConnector

__all__ = ["YouTubeConnector"]
