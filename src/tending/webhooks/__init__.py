"""Real-time intake: notifications pushed by networks, stored through the same ingestion as polling."""
