"""Sales lift: the delayed effect of a campaign on an outcome series, by a structural time-series model."""
