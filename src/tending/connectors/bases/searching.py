"""The search capability: a network's public search, asked for what a listening query describes.

Networks search differently (Bluesky and X take a query string, Mastodon only hashtags and timelines,
feeds have no search at all), so every connector also filters what comes back with `SearchQuery.matches`:
a result always contains a term or phrase, no exclusion, and is in one of the query's languages.
"""

from __future__ import annotations

import abc
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tending.connectors.bases.items import FetchResult


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Any of `terms` or `phrases`, none of `exclusions`, in `languages` (empty: any language)."""

    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    _patterns: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        wanted = [w for w in (*self.terms, *self.phrases) if w.strip()]
        object.__setattr__(self, "_patterns", tuple(_word(w) for w in wanted))

    def matches(self, text: str, language: str | None = None) -> bool:
        if self.languages and language and language.split("-")[0].lower() not in self.languages:
            return False
        if any(_word(x).search(text) for x in self.exclusions if x.strip()):
            return False
        return any(p.search(text) for p in self._patterns)

    def search_string(self, *, quote: str = '"', negate: str = "-", either: str = " OR ") -> str:
        """The query in the common search syntax: `a OR "b c" -x` (each network names its own marks)."""
        wanted = [w.strip() for w in self.terms if w.strip()]
        wanted += [f"{quote}{p.strip()}{quote}" for p in self.phrases if p.strip()]
        text = either.join(wanted)
        if len(wanted) > 1 and self.exclusions:
            text = f"({text})"
        for x in self.exclusions:
            if x.strip():
                word = f"{quote}{x.strip()}{quote}" if " " in x.strip() else x.strip()
                text += f" {negate}{word}"
        return text

    def hashtags(self) -> list[str]:
        """The terms usable as hashtags (one word of letters, digits and underscores), without the #."""
        tags = [t.strip().lstrip("#") for t in self.terms]
        return [t for t in tags if re.fullmatch(r"\w+", t)]


def _word(value: str) -> re.Pattern[str]:
    """A case-insensitive match of `value` on word boundaries (a leading # or @ is kept as typed)."""
    body = re.escape(value.strip())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SearchQuota:
    """What the network allows a search to spend: `calls` per `window_seconds` (for YouTube, units)."""

    calls: int
    window_seconds: int
    unit: str = "requests"
    note: str = ""

    def describe(self) -> str:
        hours = self.window_seconds / 3600
        span = f"{hours:g} h" if hours >= 1 else f"{self.window_seconds // 60} min"
        return f"{self.calls} {self.unit} per {span}" + (f" — {self.note}" if self.note else "")


class SearchCapability(abc.ABC):
    """A connector whose network offers a public search (or timelines listening can filter)."""

    search_quota: ClassVar[SearchQuota]
    # What one `search` call costs against the quota, in its unit (YouTube's search.list is 100 units).
    search_cost: ClassVar[int] = 1

    @abc.abstractmethod
    def search(self, query: SearchQuery, cursor: dict[str, Any]) -> FetchResult:
        """Public posts matching `query` newer than `cursor`, and the cursor to store with them."""
