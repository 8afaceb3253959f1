"""Urgency and topics from explainable rules, on top of the learned intents (`intent_model`): a team
must be able to see why a message jumped the queue or was filed under billing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

URGENT = re.compile(
    r"\b(urgent\w*|asap|immediately|right now|still waiting|again|third time|refund|charged twice|allerg\w*|"
    r"sick|hospital|unsafe|danger\w*|lawyer|legal|sue|police|recall|contaminat\w*|cancel\w*|emergency)\b",
    re.I,
)

# Topic taxonomy: name → keywords. A workspace may extend it (see `classify_texts(topics=...)`).
TOPICS: dict[str, tuple[str, ...]] = {
    "billing": (
        "refund",
        "charged",
        "charge",
        "invoice",
        "payment",
        "paid",
        "card",
        "billing",
        "price twice",
    ),
    "delivery": (
        "delivery",
        "deliver",
        "shipping",
        "ship",
        "order",
        "arrived",
        "tracking",
        "package",
        "parcel",
        "late",
    ),
    "product": (
        "taste",
        "tasted",
        "beans",
        "grinder",
        "blend",
        "roast",
        "quality",
        "broken",
        "stale",
        "flavour",
        "flavor",
        "product",
    ),
    "account": ("account", "login", "log in", "password", "app", "points", "loyalty", "logged out"),
    "subscription": ("subscription", "subscribe", "pause", "cancel"),
    "pricing": ("price", "expensive", "discount", "coupon", "code", "cost"),
    "store": ("café", "cafe", "shop", "store", "open on", "opening hours", "barista"),
    "jobs": ("job", "hiring", "career", "apply", "internship"),
    "safety": ("recall", "contaminated", "unsafe", "sick", "allergy", "allergic"),
}


@dataclass(frozen=True)
class Rules:
    urgency: float
    topics: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


# Promotion and scam cues. The learned spam head knows comment spam ("check out my channel") from its
# training videos but not money offers; a cue with a link or a DM ask makes a message spam, the cue named.
PROMOTION = re.compile(
    r"(follow ?(me|back)|follow4follow|f4f|free followers|cheap (followers|likes)|earn \$?\d+|dm me|"
    r"crypto|bitcoin|btc|giveaway|click (here|the link)|work from home|onlyfans|promo code \w+ at)",
    re.I,
)
LINK = re.compile(r"https?://|www\.|bit\.ly|\.\w{2,4}/\w", re.I)


def promotion_cue(text: str) -> str | None:
    """The promotional cue that makes `text` spam whatever the learned heads say, or None."""
    hit = PROMOTION.search(text)
    if hit is None:
        return None
    lowered = text.lower()
    return hit.group(0) if LINK.search(text) or "dm" in lowered or "follow" in lowered else None


def topics_of(text: str, taxonomy: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The taxonomy's topics with a keyword in `text` (plain loops: this runs for every message)."""
    low = text.lower()
    found: list[str] = []
    for name, words in (taxonomy or TOPICS).items():
        for word in words:
            if word in low:
                found.append(name)
                break
    return found


def urgency_and_topics(
    text: str, *, intent: str, score: float, taxonomy: dict[str, tuple[str, ...]] | None = None
) -> Rules:
    """Urgency in [0, 1]: complaints and questions first, then negativity, urgent words, exclamation
    marks and shouting; spam and abuse are never urgent to answer."""
    reasons: list[str] = []
    letters = list(filter(str.isalpha, text))
    shouting = len(letters) >= 12 and sum(map(str.isupper, letters)) / len(letters) > 0.7
    urgent_hits = {m.lower() for m in URGENT.findall(text)}
    urgency = 0.0
    if intent == "complaint":
        urgency += 0.35
    elif intent in ("question", "request"):
        urgency += 0.2
    if intent not in ("spam", "abuse"):
        urgency += 0.3 * max(0.0, -score)
        urgency += min(0.3, 0.15 * len(urgent_hits))
        urgency += min(0.1, 0.03 * text.count("!"))
        urgency += 0.1 if shouting else 0.0
        if urgent_hits:
            reasons.append(f"urgent words ({', '.join(sorted(urgent_hits))})")
    return Rules(urgency=round(min(urgency, 1.0), 3), topics=topics_of(text, taxonomy), reasons=reasons)
