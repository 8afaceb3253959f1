"""Reddit through praw."""

from tending.connectors.reddit.connector import RedditConnector

__all__ = ["RedditConnector"]
