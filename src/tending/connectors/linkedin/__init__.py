"""LinkedIn organisation pages through LinkedIn's official versioned REST API."""

from tending.connectors.linkedin.connector import LinkedInConnector

__all__ = ["LinkedInConnector"]
