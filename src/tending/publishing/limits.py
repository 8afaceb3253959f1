"""How long a post may be on each network, counted the way that network counts.

- X: 280, weighted as X weighs text (`twitter-text-parser`, X's own configuration: a link is 23,
  CJK characters and emoji 2).
- Bluesky: 300 graphemes (what a reader sees as one character; `regex`'s `\\X`).
- Mastodon: the instance's limit (`max_characters` in the channel's settings, as the instance reports
  it under `configuration.statuses.max_characters`; 500 by default), a link counting 23 and a remote
  mention `@name@server` as `@name`.
- LinkedIn 3,000; Instagram 2,200 with at most 30 hashtags; Facebook 63,206; Reddit 300 for the title
  (the first line) and 40,000 for the body.

A post over its channel's limit is refused when drafted or edited (the network would refuse it at
publication time, hours later, with nobody watching).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tending.channel.models import NETWORK_LABELS, Channel

_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(?<![\w@])(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
MASTODON_DEFAULT = 500
MASTODON_URL_WEIGHT = 23


@dataclass(frozen=True, slots=True)
class Length:
    """A text measured for one network: `used` of `limit` in `unit`; `problem` says what is over."""

    network: str
    used: int
    limit: int | None
    unit: str
    problem: str | None = None
    note: str = ""  # how this network counts, when it is not plain characters

    @property
    def over(self) -> bool:
        return self.problem is not None

    @property
    def label(self) -> str:
        return NETWORK_LABELS.get(self.network, self.network.title())

    def describe(self) -> str:
        if self.limit is None:
            return f"{self.used} {self.unit}; {self.label} sets no limit tending knows"
        note = f" ({self.note})" if self.note else ""
        return f"{self.used} of {self.limit} {self.unit} on {self.label}{note}"


def _x(text: str, config: dict[str, Any]) -> Length:
    from twitter_text import parse_tweet

    used = int(parse_tweet(text).weightedLength)
    return _capped("x", used, 280, "characters", note="links count 23, emoji and CJK 2")


def _bluesky(text: str, config: dict[str, Any]) -> Length:
    import regex

    return _capped("bluesky", len(regex.findall(r"\X", text)), 300, "characters", note="as readers see them")


def _mastodon(text: str, config: dict[str, Any]) -> Length:
    limit = config.get("max_characters")
    limit = limit if isinstance(limit, int) and limit > 0 else MASTODON_DEFAULT
    counted = _REMOTE_MENTION.sub(r"\1", _URL.sub("x" * MASTODON_URL_WEIGHT, text))
    return _capped("mastodon", len(counted), limit, "characters", note="links count 23")


def _instagram(text: str, config: dict[str, Any]) -> Length:
    length = _capped("instagram", len(text), 2200, "characters")
    tags = len(_HASHTAG.findall(text))
    if length.problem is None and tags > 30:
        return Length("instagram", length.used, 2200, "characters", f"{tags} hashtags, Instagram allows 30")
    return length


def _reddit(text: str, config: dict[str, Any]) -> Length:
    title, _, body = text.strip().partition("\n")
    if len(title.strip()) > 300:
        return Length(
            "reddit", len(text), 40300, "characters", f"the title (first line) has {len(title)} of 300"
        )
    return _capped("reddit", len(body.strip()), 40000, "characters in the body")


def _plain(network: str, limit: int) -> Callable[[str, dict[str, Any]], Length]:
    return lambda text, config: _capped(network, len(text), limit, "characters")


def _capped(network: str, used: int, limit: int, unit: str, *, note: str = "") -> Length:
    problem = f"{used - limit} over the limit" if used > limit else None
    return Length(network, used, limit, unit, problem, note)


RULES: dict[str, Callable[[str, dict[str, Any]], Length]] = {
    "x": _x,
    "bluesky": _bluesky,
    "mastodon": _mastodon,
    "linkedin": _plain("linkedin", 3000),
    "instagram": _instagram,
    "facebook": _plain("facebook", 63206),
    "reddit": _reddit,
}


def network_of(channel: Channel) -> str:
    """The network whose rules apply; a demo channel follows the network it plays."""
    config = channel.config or {}
    if channel.network == "fake" and config.get("simulates"):
        return str(config["simulates"])
    return channel.network


def measure(channel: Channel, text: str) -> Length:
    network = network_of(channel)
    rule = RULES.get(network)
    if rule is None:
        return Length(network, len(text), None, "characters")
    return rule(text, dict(channel.config or {}))
