"""tending: a self-hosted social engagement desk."""

__version__ = "0.1.0"
