"""X (Twitter) through the API v2 and tweepy."""

from tending.connectors.x.connector import XConnector

__all__ = ["XConnector"]
