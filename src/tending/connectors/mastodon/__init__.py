"""Mastodon through Mastodon.py."""

from tending.connectors.mastodon.connector import MastodonConnector

__all__ = ["MastodonConnector"]
