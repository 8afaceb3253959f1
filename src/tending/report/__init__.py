"""Reports shared across domains."""
