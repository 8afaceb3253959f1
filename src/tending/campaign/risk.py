"""Backlash risk of a draft post, read from the brand's own history.

The estimate is the negative-reply share of the brand's past posts that resemble the draft most,
weighted by how much they resemble it: if posts on this subject drew anger before, this one probably
will too. The posts it came from are returned with the figure so the team can judge the evidence.

Thresholds (on the weighted negative share, 0..1):
  high   >= 0.40  (two replies in five or more were negative on similar posts)
  medium >= 0.20
  low     < 0.20
  unknown: fewer than MIN_NEIGHBOURS past posts with replies reach MIN_SIMILARITY to the draft.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.campaign.polarity import PolarityReader
from tending.inbox.models import Direction, Message, MessageKind

HIGH_AT = 0.40
MEDIUM_AT = 0.20
MIN_SIMILARITY = 0.10
MIN_NEIGHBOURS = 3


def risk_level(score: float) -> str:
    if score >= HIGH_AT:
        return "high"
    if score >= MEDIUM_AT:
        return "medium"
    return "low"


@dataclass(frozen=True)
class RiskExample:
    message_id: int
    text: str
    created_at: datetime
    similarity: float
    replies: int
    negative_replies: int
    negative_share: float


@dataclass(frozen=True)
class BacklashRisk:
    score: float
    level: str
    examples: list[RiskExample]
    history_posts: int
    baseline_negative_share: float | None = None
    thresholds: dict[str, float] = field(default_factory=lambda: {"high": HIGH_AT, "medium": MEDIUM_AT})

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for ex in out["examples"]:
            ex["created_at"] = ex["created_at"].isoformat()
        return out


@dataclass(frozen=True)
class _Post:
    message_id: int
    text: str
    created_at: datetime
    replies: int
    negative: int


class RiskModel:
    """The brand's past posts with their reply counts, and a TF-IDF space fitted over their texts."""

    def __init__(self, posts: list[_Post]) -> None:
        self.posts = [p for p in posts if p.replies > 0 and p.text.strip()]
        self._vectorizer: TfidfVectorizer | None = None
        self._matrix: Any = None
        if self.posts:
            vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=1)
            try:
                self._matrix = vec.fit_transform([p.text for p in self.posts])
                self._vectorizer = vec
            except ValueError:  # every post made only of stop words: nothing to compare on
                self._vectorizer = None
        total = sum(p.replies for p in self.posts)
        self.baseline = (sum(p.negative for p in self.posts) / total) if total else None

    def estimate(self, text: str, *, k: int = 10) -> BacklashRisk:
        if self._vectorizer is None or not text.strip():
            return BacklashRisk(0.0, "unknown", [], len(self.posts), self.baseline)
        sims = (self._matrix @ self._vectorizer.transform([text]).T).toarray().ravel()
        order = np.argsort(-sims, kind="stable")[: max(k, 1)]
        chosen = [int(i) for i in order if sims[i] >= MIN_SIMILARITY]
        examples = [
            RiskExample(
                message_id=self.posts[i].message_id,
                text=self.posts[i].text,
                created_at=self.posts[i].created_at,
                similarity=round(float(sims[i]), 4),
                replies=self.posts[i].replies,
                negative_replies=self.posts[i].negative,
                negative_share=round(self.posts[i].negative / self.posts[i].replies, 4),
            )
            for i in chosen
        ]
        if not examples:
            return BacklashRisk(0.0, "unknown", [], len(self.posts), self.baseline)
        weights = np.array([float(sims[i]) for i in chosen])
        shares = np.array([self.posts[i].negative / self.posts[i].replies for i in chosen])
        score = round(float(weights @ shares / weights.sum()), 4)
        level = risk_level(score) if len(examples) >= MIN_NEIGHBOURS else "unknown"
        return BacklashRisk(score, level, examples, len(self.posts), self.baseline)


def load_risk_model(session: Session, *, workspace_id: int) -> RiskModel:
    """Read the brand's outbound posts and the polarity of the inbound replies in their threads."""
    post_rows = session.execute(
        select(Message.id, Message.text, Message.created_at, Message.conversation_id)
        .where(
            Message.workspace_id == workspace_id,
            Message.direction == Direction.outbound.value,
            Message.kind == MessageKind.post.value,
        )
        .order_by(Message.created_at, Message.id)
    ).all()
    if not post_rows:
        return RiskModel([])
    post_conversations = select(Message.conversation_id).where(
        Message.workspace_id == workspace_id,
        Message.direction == Direction.outbound.value,
        Message.kind == MessageKind.post.value,
    )
    reply_rows = session.execute(
        select(Message.conversation_id, Message.sentiment, Message.text).where(
            Message.workspace_id == workspace_id,
            Message.direction == Direction.inbound.value,
            Message.conversation_id.in_(post_conversations),
        )
    ).all()
    reader = PolarityReader()
    replies: dict[int, int] = defaultdict(int)
    negative: dict[int, int] = defaultdict(int)
    for conv_id, sentiment, text in reply_rows:
        replies[conv_id] += 1
        if reader.label(sentiment=sentiment, text=text) == "negative":
            negative[conv_id] += 1
    return RiskModel(
        [
            _Post(pid, text or "", created, replies[conv], negative[conv])
            for pid, text, created, conv in post_rows
        ]
    )


def backlash_risks(
    session: Session, *, workspace_id: int, texts: Sequence[str], k: int = 10
) -> list[BacklashRisk]:
    """Several drafts against one reading of the history."""
    model = load_risk_model(session, workspace_id=workspace_id)
    return [model.estimate(t, k=k) for t in texts]


def backlash_risk(session: Session, *, workspace_id: int, text: str, k: int = 10) -> BacklashRisk:
    """Backlash risk of one draft, with the past posts it was read from."""
    return backlash_risks(session, workspace_id=workspace_id, texts=[text], k=k)[0]
