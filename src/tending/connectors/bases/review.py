"""Deciding on comments a network withholds pending the owner's review (YouTube's held and likely-spam
comments): approve to publish them, reject to keep them off."""

from __future__ import annotations

import abc
import enum


class ReviewDecision(enum.StrEnum):
    approve = "approve"
    reject = "reject"


class ReviewCapability(abc.ABC):
    @abc.abstractmethod
    def decide_review(self, *, external_id: str, decision: ReviewDecision) -> None:
        """Publish (approve) or reject the withheld item `external_id` on the network."""
