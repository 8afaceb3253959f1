"""Engagement quality next to vanity counts: conversations weigh more than likes and follows.

quality = 5 × threads with dialogue (brand reply and a customer answer back) + 3 × replies + 2 × distinct
people talking + 0.01 × likes + 0.005 × new followers: a conversation is worth hundreds of likes.
Vanity figures are shown beside it, never mixed in.
"""

from __future__ import annotations

from dataclasses import dataclass

WEIGHTS = {"dialogues": 5.0, "replies": 3.0, "talkers": 2.0, "likes": 0.01, "new_followers": 0.005}


@dataclass(frozen=True)
class Engagement:
    dialogues: int
    replies: int
    talkers: int
    likes: int
    new_followers: int

    @property
    def quality(self) -> float:
        return round(sum(WEIGHTS[k] * getattr(self, k) for k in WEIGHTS), 1)

    @property
    def vanity(self) -> int:
        return self.likes + self.new_followers


def trend(current: Engagement, previous: Engagement) -> dict[str, float | None]:
    def change(a: float, b: float) -> float | None:
        return None if b == 0 else round((a - b) / b, 3)

    return {
        "quality": change(current.quality, previous.quality),
        "vanity": change(current.vanity, previous.vanity),
    }
