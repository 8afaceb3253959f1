"""Language identification with py3langid (a small model shipped inside the package)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from tending.triage.text import normalise


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str, *, min_letters: int = 12, min_confidence: float = 0.5) -> str:
    """ISO 639-1 code, or "und" when the text is too short or the guess too unsure."""
    clean = normalise(text).replace("@user", "").replace("http", "")
    if sum(c.isalpha() for c in clean) < min_letters:
        return "und"
    lang, prob = _identifier().classify(clean)
    return str(lang) if prob >= min_confidence else "und"
