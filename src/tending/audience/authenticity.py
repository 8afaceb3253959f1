"""Account authenticity: a fitted, calibrated logistic score whose reasons are the features' contributions.

`score` is the probability that the account is a genuine person, fitted on labelled accounts by
`scripts/train_authenticity.py` (weights in `data/authenticity.json`), so 0.5 means even odds. Every
fitted feature is a warning sign that is 0 for an unremarkable profile and grows with the evidence
(fewer followers, following more than followed, fewer posts, a younger account...), and its weight is
constrained to the sign that sign deserves: the training accounts (self-declared bots against people)
are not the bought followers an audit looks for, and a free fit learns there that following many means
a person. The signs keep what generalises: few followers, follows many, few posts, young, default avatar.
Three signs need engagement data the training set lacks (bursts, the same text, creation clusters);
their weights are stated priors, kept in the same file. A feature whose column is missing is skipped
and the reasons say so.

Verdicts: `likely_fake` below 0.5 (odds favour fake), `likely_genuine` from 0.8 (at most one chance in
five of being fake), `uncertain` between. Vectorised with numpy: reasons are built only for the signs
that fired.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from tending.audience.verdict import Verdict, verdict_of

WEIGHTS_PATH = Path(__file__).parent / "data" / "authenticity.json"
# Where each sign starts: below these a profile is unremarkable.
FEW_FOLLOWERS = 100
FEW_FOLLOWING = 20
FEW_POSTS = 50
YOUNG_DAYS = 365
HYPERACTIVE_PER_DAY = 10
# Signs fitted on labelled accounts, and the sign of their weight (+1 genuine-ward, -1 fake-ward).
FITTED: dict[str, int] = {
    "few_followers": -1,  # log shortfall below 100 followers
    "follows_more": -1,  # log of following / followers, when above 1
    "follows_few": -1,  # log shortfall below following 20 (accounts that post and never follow)
    "few_posts": -1,  # log shortfall below 50 posts
    "hyperactive": -1,  # log excess above 10 posts a day of age
    "young": -1,  # log shortfall below one year of age
    "default_avatar": -1,
    "empty_bio": -1,
    "digits_in_handle": -1,  # 4+ digits in a row, or a handle mostly digits
    "random_handle": -1,  # long handle with high character entropy
    "verified": 1,
}
PRIORS = ("burst", "duplicate_text", "created_in_cluster")
REASONS = {
    "few_followers": "{followers:,.0f} followers",
    "follows_more": "follows {following:,.0f} accounts, followed by {followers:,.0f}",
    "follows_few": "follows only {following:,.0f} accounts",
    "few_posts": "{posts:,.0f} posts",
    "hyperactive": "posts {posts_per_day:,.0f} times a day",
    "young": "account {age_days:,.0f} days old",
    "default_avatar": "default avatar",
    "empty_bio": "empty bio",
    "digits_in_handle": "digits in the handle ({handle})",
    "random_handle": "random-looking handle ({handle})",
    "verified": "verified account",
    "burst": "engaged in a burst with {burst_size:.0f} other accounts within 10 minutes",
    "duplicate_text": "same text as {dup_count:.0f} other accounts",
    "created_in_cluster": "created within the same hour as {cluster_size:.0f} other accounts",
}
DIGITS = re.compile(r"\d{4,}")
_NORM = re.compile(r"[^a-z0-9 ]+")


@dataclass
class Profiles:
    """Columns of a population of accounts; None where the input did not give the feature."""

    handle: list[str]
    created_at: Sequence[datetime | None] | None = None
    followers: Sequence[int | None] | None = None
    following: Sequence[int | None] | None = None
    posts: Sequence[int | None] | None = None
    default_avatar: Sequence[bool | None] | None = None
    bio: Sequence[str | None] | None = None
    verified: Sequence[bool | None] | None = None
    engaged_at: Sequence[datetime | None] | None = None
    text: Sequence[str | None] | None = None


@dataclass
class AccountScore:
    score: float
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Weights:
    intercept: float
    weights: dict[str, float]

    @property
    def names(self) -> list[str]:
        return [*FITTED, *PRIORS]

    def vector(self) -> np.ndarray:
        return np.array([self.weights[n] for n in self.names])


@lru_cache(maxsize=1)
def load_weights(path: Path = WEIGHTS_PATH) -> Weights:
    data = json.loads(path.read_text())
    return Weights(
        intercept=float(data["intercept"]), weights={k: float(v) for k, v in data["weights"].items()}
    )


def _num(values: Sequence[int | None] | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    return np.array([np.nan if v is None else float(v) for v in values])


def _flag(values: Sequence[bool | None] | None, n: int) -> np.ndarray:
    if values is None:
        return np.zeros(n)
    return np.array([float(bool(v)) for v in values])


def _entropy(s: str) -> float:
    if not s:
        return 0.0
    counts = Counter(s)
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def _shortfall(values: np.ndarray, below: float) -> np.ndarray:
    """log(1 + below) - log(1 + value) where positive, 0 otherwise and where the value is unknown."""
    with np.errstate(invalid="ignore"):
        out = np.maximum(math.log1p(below) - np.log1p(np.maximum(values, 0)), 0.0)
    return np.nan_to_num(out, nan=0.0)


def _same_slot(times: Sequence[datetime | None] | None, seconds: int, n: int) -> np.ndarray:
    """How many other accounts share each account's time slot (0 where the time is unknown)."""
    if times is None:
        return np.zeros(n)
    slots = [None if t is None else int(t.timestamp() // seconds) for t in times]
    counts = Counter(s for s in slots if s is not None)
    return np.array([0.0 if s is None else counts[s] - 1.0 for s in slots])


@dataclass
class Features:
    """The warning-sign matrix (one column per name of `Weights.names`) and the values reasons quote."""

    matrix: np.ndarray
    values: dict[str, np.ndarray]
    missing: list[str]


def account_features(p: Profiles, *, as_of: datetime | None = None) -> Features:
    """Each sign's strength per account. Age is measured at `engaged_at` where given, else at `as_of`
    (default now): data observed years ago must not make every account look established."""
    n = len(p.handle)
    ref = (as_of or datetime.now(UTC)).timestamp()
    created = np.array(
        [np.nan if c is None else c.timestamp() for c in (p.created_at or [None] * n)], dtype=float
    )
    at = np.array([ref if e is None else e.timestamp() for e in (p.engaged_at or [None] * n)], dtype=float)
    age_days = np.maximum((at - created) / 86400, 0.0)
    followers, following, posts = _num(p.followers, n), _num(p.following, n), _num(p.posts, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_day = posts / np.maximum(age_days, 1.0)
        follows_more = np.nan_to_num(np.maximum(np.log1p(following) - np.log1p(followers), 0.0), nan=0.0)
        hyperactive = np.nan_to_num(
            np.maximum(np.log1p(per_day) - math.log1p(HYPERACTIVE_PER_DAY), 0.0), nan=0.0
        )
    dups = np.zeros(n)
    if p.text is not None:
        norm = [_NORM.sub("", t.lower()).strip() if t else "" for t in p.text]
        counts = Counter(t for t in norm if len(t) >= 8)
        dups = np.array([counts[t] - 1.0 if len(t) >= 8 else 0.0 for t in norm])
    burst = _same_slot(p.engaged_at, 600, n)
    cluster = _same_slot(p.created_at, 3600, n)
    columns = {
        "few_followers": _shortfall(followers, FEW_FOLLOWERS),
        "follows_more": follows_more,
        "follows_few": _shortfall(following, FEW_FOLLOWING),
        "few_posts": _shortfall(posts, FEW_POSTS),
        "hyperactive": hyperactive,
        "young": _shortfall(age_days, YOUNG_DAYS),
        "default_avatar": _flag(p.default_avatar, n),
        "empty_bio": (
            np.array([float(b is not None and not b.strip()) for b in p.bio])
            if p.bio is not None
            else np.zeros(n)
        ),
        "digits_in_handle": np.array(
            [float(bool(DIGITS.search(h)) or sum(c.isdigit() for c in h) > len(h) / 2) for h in p.handle]
        ),
        "random_handle": np.array(
            [float(len(h) >= 10 and not DIGITS.search(h) and _entropy(h.lower()) > 3.4) for h in p.handle]
        ),
        "verified": _flag(p.verified, n),
        "burst": (burst >= 20).astype(float),
        "duplicate_text": (dups >= 4).astype(float),
        "created_in_cluster": (cluster >= 10).astype(float),
    }
    missing = [
        label
        for label, col in (
            ("creation date", p.created_at),
            ("follower counts", p.followers),
            ("avatar", p.default_avatar),
            ("bio", p.bio),
        )
        if col is None
    ]
    values = {
        "followers": followers,
        "following": following,
        "posts": posts,
        "posts_per_day": per_day,
        "age_days": age_days,
        "burst_size": burst,
        "dup_count": dups,
        "cluster_size": cluster,
    }
    return Features(np.column_stack([columns[k] for k in (*FITTED, *PRIORS)]), values, missing)


def score_accounts(
    p: Profiles, *, now: datetime | None = None, weights: Weights | None = None
) -> list[AccountScore]:
    """Score, verdict and reasons (each sign's contribution to the log-odds, largest first) per account.
    `now` is the observation date that ages are measured at when an account has no `engaged_at`."""
    w = weights or load_weights()
    f = account_features(p, as_of=now)
    contributions = f.matrix * w.vector()
    scores = 1.0 / (1.0 + np.exp(-(w.intercept + contributions.sum(axis=1))))
    texts = _reason_texts(f, contributions, p.handle, w.names)
    magnitude = np.abs(contributions)
    order = np.argsort(-magnitude, axis=1, kind="stable")
    fired = (magnitude >= 0.005).sum(axis=1)
    tail = [f"no {m} given" for m in f.missing]
    out = []
    rounded = np.round(scores, 4).tolist()
    for i, (score, ranked, k) in enumerate(zip(rounded, order.tolist(), fired.tolist(), strict=True)):
        reasons = [texts[j][i] for j in ranked[:k]] + tail
        out.append(AccountScore(score=score, verdict=verdict_of(score), reasons=reasons))
    return out


def _reason_texts(
    f: Features, contributions: np.ndarray, handles: list[str], names: list[str]
) -> list[dict[int, str]]:
    """Per sign, the reason text of each account where it moved the log-odds, with its contribution.
    Built column by column over the accounts concerned only (the scoring of many accounts is hot)."""
    values = {k: np.nan_to_num(v).tolist() for k, v in f.values.items()}
    out: list[dict[int, str]] = []
    for j, name in enumerate(names):
        template = REASONS[name]
        keys = [k for k in values if "{" + k in template]
        rows = np.flatnonzero(np.abs(contributions[:, j]) >= 0.005).tolist()
        column = contributions[:, j].tolist()
        out.append(
            {
                i: template.format(handle=handles[i], **{k: values[k][i] for k in keys})
                + f" ({column[i]:+.2f})"
                for i in rows
            }
        )
    return out
