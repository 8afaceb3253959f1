"""The default model's outputs on several hundred varied texts, pinned: speed work must not change any of
them (sentiment, score, intents and their probabilities, reasons, language, urgency, topics).

The expected file is written by `scripts/pin_triage_outputs.py` from the code before such work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tending.triage.classify import classify_texts
from tending.triage.language import _automaton, _decide, _identifier, _visits, detect, detect_many

PINNED = Path(__file__).parent / "data" / "pinned_outputs.json"


@pytest.fixture(scope="module")
def pinned() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(PINNED.read_text(encoding="utf-8"))
    assert len(rows) >= 300
    return rows


def test_outputs_match_the_pinned_ones_in_one_batch(pinned: list[dict[str, Any]]) -> None:
    results = classify_texts([row["text"] for row in pinned])
    for row, result in zip(pinned, results, strict=True):
        expected = {k: v for k, v in row.items() if k != "text"}
        assert result.public() == expected, row["text"]


def test_outputs_do_not_depend_on_the_batch(pinned: list[dict[str, Any]]) -> None:
    """A poll classifies a handful at a time, an import thousands: the same text gets the same answer."""
    texts = [row["text"] for row in pinned]
    for start in range(0, len(texts), 7):
        chunk = pinned[start : start + 7]
        results = classify_texts(texts[start : start + 7])
        for row, result in zip(chunk, results, strict=True):
            assert result.public() == {k: v for k, v in row.items() if k != "text"}, row["text"]


def test_batch_language_detection_equals_one_by_one(pinned: list[dict[str, Any]]) -> None:
    """The automaton walked for a whole batch finds what py3langid finds text by text."""
    texts = [row["text"] for row in pinned] + [
        "Ceci est un message assez long pour être reconnu sans hésitation.",
        "Dit is een bericht in het Nederlands over koffie en bonen.",
        "To jest wiadomość po polsku o kawie i ziarnach.",
        "Bu kahve gerçekten çok güzel, teşekkürler!",
        "Αυτός ο καφές είναι υπέροχος, ευχαριστώ πολύ",
        "这家咖啡店的服务非常好，我很喜欢",
        "mixed English et un peu de français, y algo de español",
    ]
    assert detect_many(texts) == [detect(t) for t in texts]
    assert detect_many([]) == []


def test_batch_language_probabilities_are_py3langids_to_the_bit(pinned: list[dict[str, Any]]) -> None:
    ident = _identifier()
    encoded = [ident._encode(t) for t in (row["text"] for row in pinned) if t.strip()]
    automaton = _automaton()
    assert automaton is not None
    decided = _decide(ident, _visits(encoded, automaton), [len(e) for e in encoded])
    assert decided == [ident.classify(e) for e in encoded]
