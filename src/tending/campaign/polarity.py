"""Reading the polarity of a message: the triage label when there is one, VADER on the text otherwise.

Campaign figures must not wait for triage to have run, and they must agree with it once it has, hence
the triage label first and a transparent lexicon fallback with VADER's usual ±0.05 thresholds.
"""

from __future__ import annotations

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05


class PolarityReader:
    """One VADER lexicon, loaded on first need and kept for the calls of one computation."""

    def __init__(self) -> None:
        self._vader: SentimentIntensityAnalyzer | None = None

    def compound(self, text: str) -> float:
        if self._vader is None:
            self._vader = SentimentIntensityAnalyzer()
        return float(self._vader.polarity_scores(text or "")["compound"])

    def label(self, *, sentiment: str | None, text: str) -> str:
        """`negative`, `positive` or `neutral`."""
        if sentiment in ("negative", "positive", "neutral"):
            return sentiment
        score = self.compound(text)
        if score < NEGATIVE_BELOW:
            return "negative"
        if score > POSITIVE_ABOVE:
            return "positive"
        return "neutral"
