from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import orjson
from typer.testing import CliRunner

from tending.audience.authenticity import Profiles, score_accounts
from tending.cli import app

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def population(n_real: int = 60, n_fake: int = 60, seed: int = 1) -> tuple[Profiles, list[bool]]:
    rng = random.Random(seed)
    handles, created, followers, following, posts, avatar, bio, engaged, text, fake = ([] for _ in range(10))
    for i in range(n_real):
        handles.append(
            f"{rng.choice(['ana', 'ben', 'cleo', 'dev'])}.{rng.choice(['silva', 'berg', 'khan'])}{i % 100}"
        )
        created.append(NOW - timedelta(days=rng.randint(800, 4000)))
        followers.append(rng.randint(80, 3000))
        following.append(rng.randint(50, 900))
        posts.append(rng.randint(200, 5000))
        avatar.append(False)
        bio.append("coffee, books and cycling")
        engaged.append(NOW - timedelta(hours=rng.randint(1, max(200, n_real)), minutes=rng.randint(0, 59)))
        text.append(
            rng.choice(["love the new blend", "where do you ship?", "great service, thanks"]) + f" ({i})"
        )
        fake.append(False)
    burst_start = NOW - timedelta(hours=5)
    for _ in range(n_fake):
        handles.append(f"user{rng.randint(10_000_000, 99_999_999)}")
        created.append(NOW - timedelta(days=3, minutes=rng.randint(0, 40)))
        followers.append(rng.randint(0, 5))
        following.append(rng.randint(2000, 5000))
        posts.append(0)
        avatar.append(True)
        bio.append("")
        engaged.append(burst_start + timedelta(seconds=rng.randint(0, 300)))
        text.append("Amazing!! Check my page for free followers")
        fake.append(True)
    return Profiles(
        handle=handles,
        created_at=created,
        followers=followers,
        following=following,
        posts=posts,
        default_avatar=avatar,
        bio=bio,
        engaged_at=engaged,
        text=text,
    ), fake


def test_fakes_score_low_with_their_reasons() -> None:
    profiles, fake = population()
    scores = score_accounts(profiles, now=NOW)
    real_scores = [s.score for s, f in zip(scores, fake, strict=True) if not f]
    fake_scores = [s.score for s, f in zip(scores, fake, strict=True) if f]
    assert min(real_scores) > 0.6 > 0.1 > max(fake_scores)
    reasons = " | ".join(scores[-1].reasons)
    for expected in (
        "account 2 days old",
        "follows",
        "default avatar",
        "empty bio",
        "digits in the handle",
        "burst",
        "same text as",
        "created within the same hour",
    ):
        assert expected in reasons, expected
    assert any("established account" in r for r in scores[0].reasons)


def test_missing_columns_are_tolerated_and_said() -> None:
    s = score_accounts(Profiles(handle=["someone", "user12345678"]), now=NOW)
    assert all(0 <= x.score <= 1 for x in s)
    assert "no creation date given" in s[0].reasons
    assert any("digits in the handle" in r for r in s[1].reasons)


def test_cli_scores_a_csv(tmp_path) -> None:
    path = tmp_path / "followers.csv"
    path.write_text(
        "handle,created_at,followers,following,posts,default_avatar,bio\n"
        "ana.silva,2015-03-01T00:00:00Z,800,300,2400,false,runner\n"
        "user83920145,2026-05-29T00:00:00Z,1,4200,0,true,\n"
    )
    res = CliRunner().invoke(app, ["audit", "accounts", "--input", str(path)])
    assert res.exit_code == 0, res.output
    rows = [orjson.loads(line) for line in res.stdout.splitlines()]
    assert rows[0]["score"] > 0.7 > 0.2 > rows[1]["score"]
    assert "default avatar" in rows[1]["reasons"]
    bad = tmp_path / "bad.csv"
    bad.write_text("handle,followers\nann,lots\n")
    res = CliRunner().invoke(app, ["audit", "accounts", "--input", str(bad)])
    assert res.exit_code == 2 and "line 2: followers is not a number" in res.output
