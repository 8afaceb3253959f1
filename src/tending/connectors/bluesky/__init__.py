"""Bluesky through the atproto SDK."""

from tending.connectors.bluesky.connector import BlueskyConnector

__all__ = ["BlueskyConnector"]
