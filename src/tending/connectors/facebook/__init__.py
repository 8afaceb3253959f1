"""Facebook Pages through the Graph API."""

from tending.connectors.facebook.connector import FacebookConnector

__all__ = ["FacebookConnector"]
