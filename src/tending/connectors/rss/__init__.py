"""Blogs through RSS/Atom feeds."""

from tending.connectors.rss.connector import RssConnector

__all__ = ["RssConnector"]
