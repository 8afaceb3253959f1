"""Write `tests/triage/data/pinned_outputs.json`: varied message texts and what `classify_texts` says of them.

The default model's speed work must not change a single output, so the file is written from the code as it
stands and `tests/triage/test_pinned_outputs.py` compares against it. Rewrite it only when the model itself is
meant to change (new weights, new rules):

    .venv/bin/python scripts/pin_triage_outputs.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from tending.demo.world import (
    ANSWERS,
    CHATTER,
    COMPLAINTS,
    FIRST,
    LAUNCH,
    PRAISE,
    QUESTIONS,
    REPLIES,
    SPAM,
    WAVE,
    _fill,
)
from tending.triage.classify import classify_texts

OUT = Path(__file__).resolve().parents[1] / "tests" / "triage" / "data" / "pinned_outputs.json"

# Edge cases the templates do not cover: languages, emoji, shouting, elongations, escaped unicode, links,
# mentions, emoticons, empty and whitespace-only texts, numbers only, very long texts.
EDGES = [
    "",
    "   ",
    "!!!",
    "??",
    "12345",
    ":)",
    ":-( ;P =D",
    "ok",
    "@bean_co",
    "http://example.com",
    "WHERE IS MY ORDER?? THIS IS THE THIRD TIME I ASK!!!",
    "soooo goooood, loooove it!!!",
    "nooooo my cup brokeeee :(",
    "caf\\u00e9 was closed again \\u2639",
    "Le café était froid et le service très lent, je veux un remboursement.",
    "¿Dónde está mi pedido? Llevo dos semanas esperando.",
    "Der Kaffee ist wirklich ausgezeichnet, vielen Dank!",
    "Il caffè è arrivato rotto, che delusione.",
    "O pedido chegou atrasado e frio.",
    "コーヒーがとても美味しかったです",
    "Кофе отличный, спасибо!",
    "هذا المنتج رائع",
    "☕☕☕ 😍😍",
    "🤬🤬 worst app update ever 🤬",
    "@support @bean_co my card was charged twice for order #4471, please refund https://t.co/abc123",
    "Check www.cheap-followers.biz for free followers!!! follow4follow",
    "earn $500 a day working from home, dm me",
    "bitcoin giveaway click the link bit.ly/xx",
    "promo code SAVE20 at checkout, thank me later",
    "I got sick after drinking your cold brew, is there a recall?",
    "My lawyer will hear about this. Unsafe packaging, glass in the beans.",
    "Can you please pause my subscription while I'm travelling?",
    "Are you hiring baristas for the summer? Where do I apply?",
    "What are the opening hours of the shop on Sundays?",
    "I can't log in to the app, password reset never arrives",
    "The loyalty points vanished from my account :(",
    "you guys are idiots, absolute garbage company",
    "shut up and take my money, best roast ever",
    "meh",
    "it's fine I guess",
    "Not bad, not great.",
    "I don't hate it.",
    "Never again. Never. Ever.",
    "Thanks!!! 🙏",
    "why why why why why",
    "a " * 300,
    "The grinder arrived broken and support hasn't answered in 5 days. " * 6,
    "don't won't can't isn't it's y'all o'clock",
    "RT @user: love this blend #coffee #morning",
    "tab\tseparated\twords and\nnew lines\r\nhere",
    "CAPS lock ON for no reason AT ALL",
    "price twice?! the invoice says €49 but I paid €98",
]


def _vary(text: str, rng: random.Random) -> str:
    """One of the ways people write: as is, shouted, lower-cased, with a mention, a link, emoji or more."""
    how = rng.randrange(8)
    if how == 1:
        return text.upper()
    if how == 2:
        return text.lower().rstrip(".!?")
    if how == 3:
        return f"@{rng.choice(FIRST).lower()} {text}"
    if how == 4:
        return f"{text} https://t.co/{rng.randrange(10**6):06d}"
    if how == 5:
        return f"{text} {rng.choice(['😡', '😍', '🙏', '☕☕', ':(', ':-)', '!!!', '??'])}"
    if how == 6:
        return text.replace("o", "ooo", 1).replace("e", "eee", 1)
    if how == 7:
        return f"{text} {_fill(rng.choice(QUESTIONS + COMPLAINTS + PRAISE), rng)}"
    return text


def texts(n: int = 420, seed: int = 7) -> list[str]:
    """Distinct texts from the demo's message templates (filled, then varied) plus the edge cases."""
    rng = random.Random(seed)
    kinds = (QUESTIONS, COMPLAINTS, PRAISE, CHATTER, LAUNCH, WAVE, SPAM)
    seen: dict[str, None] = {}
    while len(seen) < n:
        seen[_vary(_fill(rng.choice(rng.choice(kinds)), rng), rng)] = None
    for _ in range(15):
        seen[rng.choice(REPLIES).format(name=rng.choice(FIRST), answer=rng.choice(ANSWERS))] = None
    return list(seen) + EDGES


def main() -> None:
    sample = texts()
    results = classify_texts(sample)
    rows = [{"text": t, **r.public()} for t, r in zip(sample, results, strict=True)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(rows, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(rows)} texts")


if __name__ == "__main__":
    main()
