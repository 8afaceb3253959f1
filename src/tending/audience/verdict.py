"""An account's verdict from its authenticity score, and the documented cuts; light, for the CLI's help."""

from __future__ import annotations

import enum

FAKE_BELOW = 0.5  # score < 0.5: the odds favour a fake or automated account
GENUINE_FROM = 0.8  # score >= 0.8: likely genuine


class Verdict(enum.StrEnum):
    likely_fake = "likely_fake"
    uncertain = "uncertain"
    likely_genuine = "likely_genuine"


def verdict_of(score: float) -> Verdict:
    if score < FAKE_BELOW:
        return Verdict.likely_fake
    return Verdict.likely_genuine if score >= GENUINE_FROM else Verdict.uncertain
