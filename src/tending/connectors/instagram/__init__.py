"""Instagram professional accounts through the Graph API."""

from tending.connectors.instagram.connector import InstagramConnector

__all__ = ["InstagramConnector"]
