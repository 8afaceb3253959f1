"""Listening: public talk about the brand that does not tag it, found by each network's search."""
