"""Intent, urgency and topics from explainable rules: there is no labelled intent data to learn from,
and a team must be able to see why a message was called a complaint or spam."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUESTION_START = re.compile(
    r"^\s*(how|what|when|where|why|who|which|can|could|do|does|did|is|are|will|would|should|may|any)\b", re.I
)
QUESTION_WORDS = re.compile(
    r"\b(how (do|can|to)|is there|can (i|you|we)|do you|does (it|this)|any idea)\b", re.I
)
COMPLAINT = re.compile(
    r"\b(refund|broken|damaged|late|still waiting|never (arrived|received)|not (working|received|happy)|"
    r"disappoint\w*|terrible|awful|worst|unacceptable|charged twice|overcharg\w*|cancel\w*|complain\w*|"
    r"rude|scam|ripped off|waste of money|stale|stopped working|no one answers|nobody answers|ignored)\b",
    re.I,
)
PRAISE = re.compile(
    r"\b(love|loved|amazing|awesome|great|excellent|fantastic|best|thank(s| you)|brilliant|delicious|"
    r"perfect|wonderful|recommend|respect|lovely|incredible)\b",
    re.I,
)
SPAM = re.compile(
    r"(follow ?(me|back)|follow4follow|f4f|free followers|cheap (followers|likes)|earn \$?\d+|dm me|"
    r"crypto|bitcoin|btc|giveaway|click (here|the link)|work from home|onlyfans|promo code \w+ at)",
    re.I,
)
ABUSE = re.compile(
    r"\b(idiots?|stupid|morons?|losers?|garbage|trash|shut up|f+u+c+k+\w*|shit\w*|bitch\w*)\b", re.I
)
URGENT = re.compile(
    r"\b(urgent\w*|asap|immediately|right now|still waiting|again|third time|refund|charged twice|allerg\w*|"
    r"sick|hospital|unsafe|danger\w*|lawyer|legal|sue|police|recall|contaminat\w*|cancel\w*|emergency)\b",
    re.I,
)
LINK = re.compile(r"https?://|www\.|bit\.ly|\.example\b|\.\w{2,4}/\w", re.I)

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
class IntentResult:
    intent: str
    urgency: float
    topics: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def topics_of(text: str, taxonomy: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    low = text.lower()
    return [name for name, words in (taxonomy or TOPICS).items() if any(w in low for w in words)]


def is_question(text: str) -> bool:
    return "?" in text or bool(QUESTION_START.search(text)) or bool(QUESTION_WORDS.search(text))


def classify_intent(
    text: str, *, sentiment: str, score: float, taxonomy: dict[str, tuple[str, ...]] | None = None
) -> IntentResult:
    """Spam/abuse first (it is never answered like a customer), then complaint, question, praise."""
    reasons: list[str] = []
    links = bool(LINK.search(text))
    spam_hit = SPAM.search(text)
    abuse_hits = ABUSE.findall(text)
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    if spam_hit and (links or "dm" in text.lower() or "follow" in text.lower()):
        intent = "spam"
        reasons.append(f"promotional cue {spam_hit.group(0)!r}" + (" with a link" if links else ""))
    elif abuse_hits and sentiment == "negative" and not COMPLAINT.search(text):
        intent = "spam"
        reasons.append(f"abusive words ({', '.join(sorted({a.lower() for a in abuse_hits}))[:60]})")
    elif COMPLAINT.search(text) and sentiment != "positive":
        intent = "complaint"
        reasons.append(f"complaint words ({COMPLAINT.search(text).group(0)!r})")  # type: ignore[union-attr]
    elif is_question(text):
        intent = "question"
        reasons.append("asks a question")
    elif sentiment == "positive" and PRAISE.search(text):
        intent = "praise"
        reasons.append("positive with praise words")
    elif sentiment == "negative" and score < -0.5:
        intent = "complaint"
        reasons.append("strongly negative")
    else:
        intent = "other"
    urgent_hits = {m.lower() for m in URGENT.findall(text)}
    urgency = 0.0
    if intent == "complaint":
        urgency += 0.35
    elif intent == "question":
        urgency += 0.2
    if intent != "spam":
        urgency += 0.3 * max(0.0, -score)
        urgency += min(0.3, 0.15 * len(urgent_hits))
        urgency += min(0.1, 0.03 * text.count("!"))
        urgency += 0.1 if shouting else 0.0
    if urgent_hits and intent != "spam":
        reasons.append(f"urgent words ({', '.join(sorted(urgent_hits))})")
    return IntentResult(
        intent=intent, urgency=round(min(urgency, 1.0), 3), topics=topics_of(text, taxonomy), reasons=reasons
    )
