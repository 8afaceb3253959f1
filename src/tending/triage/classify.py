"""Triage of message texts: sentiment with a score, intent, language, urgency and topics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tending.triage.intent import TOPICS, classify_intent
from tending.triage.language import detect
from tending.triage.sentiment import load_default, polarity

MODELS = ("default", "embeddings")


class ModelUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class TriageResult:
    sentiment: str
    sentiment_score: float
    intent: str
    language: str
    urgency: float
    topics: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        """The stable JSON shape of `tending classify` (keys in this order)."""
        d = asdict(self)
        return {k: d[k] for k in ("sentiment", "sentiment_score", "intent", "language", "urgency", "topics")}


def _sentiment(texts: list[str], model: str) -> tuple[list[str], list[float]]:
    if model == "embeddings":
        try:
            from tending.triage.embeddings import load_embeddings_model
        except ImportError as exc:
            raise ModelUnavailable(
                f"the embeddings model needs the optional extra: pip install 'tending[embeddings]' ({exc})"
            ) from None
        probs = load_embeddings_model().probabilities(texts)
    elif model == "default":
        probs = load_default().probabilities(texts)
    else:
        raise ModelUnavailable(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    labels, scores = polarity(probs)
    return labels, [round(float(s), 4) for s in scores]


def classify_texts(
    texts: list[str],
    *,
    model: str = "default",
    taxonomy: dict[str, tuple[str, ...]] | None = None,
    languages: bool = True,
) -> list[TriageResult]:
    """Triage a batch (vectorised: call with many texts at once)."""
    if not texts:
        return []
    labels, scores = _sentiment(texts, model)
    out = []
    for text, label, score in zip(texts, labels, scores, strict=True):
        intent = classify_intent(text, sentiment=label, score=score, taxonomy=taxonomy or TOPICS)
        out.append(
            TriageResult(
                sentiment=label,
                sentiment_score=score,
                intent=intent.intent,
                language=detect(text) if languages else "und",
                urgency=intent.urgency,
                topics=intent.topics,
                reasons=intent.reasons,
            )
        )
    return out
