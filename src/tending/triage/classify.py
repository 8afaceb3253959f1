"""Triage of message texts: sentiment with a score, intents, language, urgency and topics.

Sentiment and intents read one feature matrix (`sentiment.features`), built once per batch; urgency and
topics stay explainable rules (`intent.py`) on top of the learned intents.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from tending.triage.intent import TOPICS, promotion_cue, urgency_and_topics
from tending.triage.intent_model import (
    INTENTS,
    intent_reasons,
    load_intent_model,
    main_intent,
)
from tending.triage.language import detect_many
from tending.triage.sentiment import (
    features,
    load_default,
    normalised_texts,
    polarity,
    word_vectorizer,
)

MODELS = ("default", "embeddings")
# `tending classify`'s keys, in order: `intents` and `reasons` came last, after the keys older readers know.
PUBLIC_FIELDS = tuple(
    ["sentiment", "sentiment_score", "intent", "language", "urgency", "topics", "intents", "reasons"]
)


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
    intents: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        """The stable JSON shape of `tending classify` (keys in this order)."""
        d = asdict(self)
        return {k: d[k] for k in PUBLIC_FIELDS}


def _sentiment(texts: list[str], default: np.ndarray, model: str) -> tuple[list[str], list[float]]:
    """Labels and scores from the chosen model; `default` is the default model's probabilities."""
    if model == "embeddings":
        try:
            from tending.triage.embeddings import load_embeddings_model
        except ImportError as exc:
            raise ModelUnavailable(
                f"the embeddings model needs the optional extra: pip install 'tending[embeddings]' ({exc})"
            ) from None
        probs = load_embeddings_model().probabilities(texts, default=default)
    else:
        probs = default
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
    if model not in MODELS:
        raise ModelUnavailable(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    default = load_default()
    normalised = normalised_texts(texts)
    analyze = word_vectorizer().build_analyzer()
    word_grams = [analyze(t) for t in normalised]
    x = features(texts, memo=default.memo, normalised=normalised, word_grams=word_grams)
    tone = default.probabilities_of(x)
    labels, scores = _sentiment(texts, tone, model)
    heads = load_intent_model()
    probs = np.round(heads.probabilities(x, tone), 4).tolist()
    cues = [promotion_cue(t) for t in texts]
    mains = ["spam" if cue else main_intent(np.asarray(p)) for p, cue in zip(probs, cues, strict=True)]
    word_reasons = intent_reasons(word_grams, x, heads, mains)
    for i, cue in enumerate(cues):
        if cue:
            word_reasons[i].append(f"promotional cue {cue!r}")
    langs = detect_many(texts) if languages else ["und"] * len(texts)
    out = []
    for i, (text, label, score) in enumerate(zip(texts, labels, scores, strict=True)):
        rules = urgency_and_topics(text, intent=mains[i], score=score, taxonomy=taxonomy or TOPICS)
        out.append(
            TriageResult(
                sentiment=label,
                sentiment_score=score,
                intent=mains[i],
                language=langs[i],
                urgency=rules.urgency,
                topics=rules.topics,
                intents=dict(zip(INTENTS, probs[i], strict=True)),
                reasons=word_reasons[i] + rules.reasons,
            )
        )
    return out
