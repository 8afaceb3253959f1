"""A realistic, deterministic brand world for the demo desk and for tests.

Northwind Coffee Roasters: several channels over 90 days; customers ask questions at all hours (some at
2 a.m.), praise, complain and spam; the brand answers most but not all; an overnight negative wave about a
recall; a suspicious follower jump with no conversation behind it; a large community that has gone quiet;
a blog whose last post is months old. Everything is written as generic-format files that the fake
connector serves, so the demo goes through the real ingestion path.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Marco",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Uma",
    "Vik",
    "Wen",
    "Xavi",
    "Yara",
    "Zoe",
]
LAST = [
    "Martin",
    "Okafor",
    "Silva",
    "Nguyen",
    "Müller",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Berg",
    "Tanaka",
    "Dubois",
    "Khan",
    "Lopez",
    "Jensen",
    "Moreau",
    "Costa",
]
PRODUCTS = [
    "Ethiopia Guji",
    "house espresso blend",
    "decaf Colombia",
    "cold brew kit",
    "burr grinder",
    "pour-over set",
    "Kenya AA",
    "subscription box",
    "oat latte pods",
]

QUESTIONS = [
    "Hi! Do you ship the {p} to {city}?",
    "How long does delivery to {city} usually take?",
    "Is the {p} good for a moka pot or only espresso?",
    "Can I pause my subscription while I'm travelling?",
    "What grind size should I use for the {p} in a French press?",
    "Do you have a discount code for students?",
    "Where can I find the roast date on the bag?",
    "Is your {p} fair trade certified?",
    "Can I change the delivery address of order #{order}?",
    "Does the {p} come in 1 kg bags?",
    "Are your pods compostable?",
    "Is the café on Rue Oberkampf open on Sundays?",
    "How do I cancel my subscription? The website keeps looping.",
    "Do you sell gift cards?",
]
COMPLAINTS = [
    "My order #{order} still hasn't arrived after 12 days. Nobody answers my emails.",
    "The {p} arrived with a torn bag and beans everywhere. Really disappointed.",
    "I was charged twice for order #{order}. Please refund the duplicate!",
    "Third time the subscription box is late. I'm about to cancel.",
    "The burr grinder stopped working after two weeks. What now?",
    "Your app logged me out and my loyalty points are gone.",
    "The {p} tasted stale, roast date was two months ago. Not acceptable.",
]
PRAISE = [
    "The {p} is incredible, best coffee I've had this year!",
    "Thank you for the quick help with my order yesterday",
    "Just visited the café, the barista was lovely. Great flat white!",
    "Love the new packaging, fully recyclable",
    "Your cold brew kit made my summer. Ordering two more for friends.",
    "Customer service sorted my issue in minutes. Respect.",
]
CHATTER = [
    "Morning ritual with the {p} ☕",
    "Anyone tried the {p} with oat milk?",
    "Tagging @{friend} — we need to go here",
    "Nice photo!",
    "Which one is your favourite?",
    "Saw you at the market on Saturday",
]
# Talk about the spring blend relaunch (the demo campaign's hashtag and keyword), from its launch day on.
LAUNCH_DAY = 30
LAUNCH_CHANNELS = frozenset({"instagram", "facebook", "x"})
LAUNCH = [
    "Tried the new spring blend this morning, floral and bright. Love it #NorthwindSpring",
    "Is the spring blend available in 1 kg bags?",
    "The spring blend is a bit too acidic for me, sorry",
    "#NorthwindSpring giveaway entry! Tagging @{friend}",
    "Spring blend with oat milk is perfection",
    "Where can I buy the spring blend in Lyon?",
]
SPAM = [
    "🔥 Earn $5000 a week from home!!! DM me now 👉 bit.ly/rich-fast",
    "Follow me for free followers follow4follow",
    "Crypto giveaway!!! Send 0.1 BTC get 1 BTC back www.scam-giveaway.example",
    "CHEAP FOLLOWERS AND LIKES visit followers-shop.example",
    "You're all idiots and your coffee is garbage, losers",
]
WAVE = [
    "Just read the recall notice about the {p}. Is it safe to drink what I have at home?!",
    "Why did I learn about the recall from the news and not from you? Shameful.",
    "My kid drank the {p} yesterday. What is in it?? Answer please",
    "Recall? I want a full refund for every bag I bought this year.",
    "Never buying from you again after how you handled this recall.",
    "Where is the statement about the contaminated batch? Silence is not ok",
]
REPLIES = [
    "Thanks for reaching out, {name}! {answer}",
    "Hi {name}, sorry about that. {answer}",
    "Good question, {name}. {answer}",
    "{name}, thank you! {answer}",
]
ANSWERS = [
    "We ship across the EU in 2–4 working days.",
    "I've sent you a DM with the tracking link.",
    "The roast date is printed on the bottom seam of every bag.",
    "A medium-coarse grind works best for a French press.",
    "We've refunded the duplicate charge; it shows in 3–5 days.",
    "A replacement is on its way today.",
    "You can pause it from Account → Subscription → Pause.",
    "Yes, they're certified home-compostable.",
    "We're so glad you enjoyed it — see you soon!",
]
# Days before `now` on which the generated events happen.
WAVE_DAYS_AGO = 19
JUMP_DAYS_AGO = 25
WAVE_CHANNELS = ("instagram", "x")
CITIES = ["Lyon", "Berlin", "Madrid", "Milan", "Brussels", "Lisbon", "Vienna", "Copenhagen"]


@dataclass
class ChannelPlan:
    key: str
    name: str
    simulates: str
    handle: str
    followers_start: int
    daily_volume: float
    answer_rate: float
    posts_per_week: float
    last_post_days_ago: int = 0
    members: int | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)


def _plans() -> list[ChannelPlan]:
    return [
        ChannelPlan(
            "instagram", "Northwind on Instagram", "instagram", "northwind.coffee", 48_200, 22, 0.8, 5
        ),
        ChannelPlan("facebook", "Northwind Facebook page", "facebook", "NorthwindCoffee", 31_500, 14, 0.7, 3),
        ChannelPlan("x", "@northwindcoffee on X", "x", "northwindcoffee", 12_900, 11, 0.55, 6),
        ChannelPlan(
            "youtube", "Northwind Brew School (YouTube)", "youtube", "NorthwindBrewSchool", 8_300, 3, 0.5, 1
        ),
        ChannelPlan(
            "community",
            "Northwind Coffee Lovers group",
            "facebook",
            "northwind-lovers",
            0,
            0.05,
            0.3,
            0.1,
            members=1_600_000,
        ),
        ChannelPlan(
            "blog", "Northwind blog", "rss", "blog.northwind.example", 0, 0.2, 0.2, 0.0, last_post_days_ago=71
        ),
    ]


def _author(rng: random.Random, now: datetime, *, fake: bool = False) -> dict[str, Any]:
    if fake:
        digits = rng.randint(10_000_000, 99_999_999)
        created = now - timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 3))
        return {
            "id": f"f{digits}",
            "handle": f"user{digits}",
            "name": "",
            "created_at": created.isoformat(),
            "followers": rng.randint(0, 8),
            "following": rng.randint(1500, 5000),
            "posts": rng.randint(0, 3),
            "default_avatar": True,
            "bio": "",
            "verified": False,
        }
    first, last = rng.choice(FIRST), rng.choice(LAST)
    handle = f"{first.lower()}.{last.lower()}".replace("é", "e").replace("ü", "u")
    if rng.random() < 0.4:
        handle += str(rng.randint(1, 99))
    created = now - timedelta(days=rng.randint(400, 4000))
    return {
        "id": f"a-{handle}",
        "handle": handle,
        "name": f"{first} {last}",
        "created_at": created.isoformat(),
        "followers": int(rng.lognormvariate(5.5, 1.2)),
        "following": int(rng.lognormvariate(5.3, 0.9)),
        "posts": int(rng.lognormvariate(6, 1.3)),
        "default_avatar": rng.random() < 0.05,
        "bio": rng.choice(
            ["coffee nerd", "Lyon ✈ Berlin", "runner, reader", "barista at heart", "", "dad of 2"]
        ),
        "verified": rng.random() < 0.01,
    }


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        p=rng.choice(PRODUCTS),
        city=rng.choice(CITIES),
        order=rng.randint(10_000, 99_999),
        friend=rng.choice(FIRST).lower(),
    )


def _post_text(rng: random.Random) -> str:
    opener = rng.choice(["New on the shelf", "Brew tip", "Behind the roast", "This week"])
    return f"{opener}: {_fill('the {p}', rng)} {rng.choice(['☕', '🌱', '', '✨'])}".strip()


def _hour_weight(hour: int) -> float:
    """People write at every hour, most in the evening, few (but some) at night."""
    return [
        0.25,
        0.18,
        0.15,
        0.1,
        0.08,
        0.1,
        0.3,
        0.6,
        0.9,
        1.0,
        1.0,
        1.1,
        1.3,
        1.2,
        1.0,
        1.0,
        1.1,
        1.3,
        1.6,
        1.9,
        2.0,
        1.7,
        1.1,
        0.6,
    ][hour]


SALES_FILE = "online-sales.csv"
SALES_LIFT_DELAY_DAYS = 21  # the relaunch starts to sell three weeks after launch, not overnight


def write_sales(out_dir: Path, *, days: int, seed: int, now: datetime) -> Path:
    """Daily online sales of the spring blend with a market index as control: sales follow the market
    (about 400 bags a day), and from three weeks after launch gain a growing 10-20%."""
    rng = random.Random(seed * 7919 + 1)  # its own stream: the messages do not change with it
    start = (now - timedelta(days=days)).date()
    launch = start + timedelta(days=LAUNCH_DAY)
    lines = ["date,online_sales,market_index"]
    market = 100.0
    for d in range(days):
        day = start + timedelta(days=d)
        market += rng.gauss(0, 0.6) + (100.0 - market) * 0.05
        weekly = 1.15 if day.weekday() >= 5 else 1.0
        sales = 4.0 * market * weekly + rng.gauss(0, 8)
        since = (day - launch).days - SALES_LIFT_DELAY_DAYS
        if since >= 0:
            sales *= 1.10 + min(since / 40, 1.0) * 0.10
        lines.append(f"{day.isoformat()},{sales:.0f},{market:.2f}")
    path = out_dir / SALES_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def generate(
    out_dir: Path, *, days: int = 90, seed: int = 7, now: datetime | None = None
) -> list[ChannelPlan]:
    """Write `<key>.jsonl` (messages) and `<key>.metrics.jsonl` (audience figures) for every channel."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=days)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = _plans()
    people = [_author(rng, now) for _ in range(900)]
    bots = [_author(rng, now, fake=True) for _ in range(120)]
    wave_day = days - WAVE_DAYS_AGO
    jump_day = days - JUMP_DAYS_AGO
    hour_weights = [_hour_weight(h) for h in range(24)]
    for plan in plans:
        seq = 0

        def add(rec: dict[str, Any], plan: ChannelPlan = plan) -> str:
            nonlocal seq
            seq += 1
            rec["id"] = f"{plan.key}-{seq}"
            plan.records.append(rec)
            return str(rec["id"])

        # The brand's own posts: each opens a thread that comments join.
        posts: list[tuple[str, datetime]] = []
        post_days = days - plan.last_post_days_ago
        n_posts = max(int(plan.posts_per_week * post_days / 7), 2 if plan.key == "blog" else 1)
        for i in range(n_posts):
            at = start + timedelta(days=post_days * i / n_posts, hours=rng.randint(8, 18))
            pid = add(
                {
                    "kind": "post",
                    "direction": "outbound",
                    "created_at": at.isoformat(),
                    "text": _post_text(rng),
                    "author": {"id": f"brand-{plan.key}", "handle": plan.handle, "name": plan.name},
                }
            )
            posts.append((pid, at))
        for day in range(days):
            volume = plan.daily_volume * (1.25 if (start + timedelta(days=day)).weekday() >= 5 else 1.0)
            n = int(volume) + (1 if rng.random() < volume - int(volume) else 0)
            for _ in range(n):
                hour = rng.choices(range(24), weights=hour_weights)[0]
                at = start + timedelta(days=day, hours=hour, minutes=rng.randint(0, 59))
                roll = rng.random()
                if roll < 0.30:
                    text, kind = _fill(rng.choice(QUESTIONS), rng), "question"
                elif roll < 0.45:
                    text, kind = _fill(rng.choice(COMPLAINTS), rng), "complaint"
                elif roll < 0.65 and day >= LAUNCH_DAY and plan.key in LAUNCH_CHANNELS and rng.random() < 0.4:
                    text, kind = _fill(rng.choice(LAUNCH), rng), "praise"
                elif roll < 0.65:
                    text, kind = _fill(rng.choice(PRAISE), rng), "praise"
                elif roll < 0.72:
                    text, kind = rng.choice(SPAM), "spam"
                else:
                    text, kind = _fill(rng.choice(CHATTER), rng), "chatter"
                who = rng.choice(bots) if kind == "spam" else rng.choice(people)
                earlier = [p for p in posts if p[1] < at]
                is_dm = (
                    plan.key in {"instagram", "facebook"}
                    and kind in {"question", "complaint"}
                    and rng.random() < 0.3
                )
                rec: dict[str, Any]
                if is_dm:
                    rec = {"kind": "direct", "thread_id": f"dm-{plan.key}-{who['id']}", "text": text}
                elif earlier and rng.random() < 0.85:
                    rec = {"kind": "comment", "parent_id": rng.choice(earlier[-6:])[0], "text": text}
                else:
                    rec = {"kind": "mention", "text": text}
                rec.update(direction="inbound", created_at=at.isoformat(), author=who)
                mid = add(rec)
                _maybe_answer(plan, rng, add, rec, mid, at, now, kind)
        if plan.key in WAVE_CHANNELS:
            _negative_wave(plan, rng, add, people, (start + timedelta(days=wave_day)).replace(hour=0), posts)
        plan.metrics = _metrics(plan, rng, start, days, jump_day if plan.key == "instagram" else None)
        plan.records.sort(key=lambda r: r["created_at"])
        (out_dir / f"{plan.key}.jsonl").write_bytes(b"\n".join(orjson.dumps(r) for r in plan.records) + b"\n")
        (out_dir / f"{plan.key}.metrics.jsonl").write_bytes(
            b"\n".join(orjson.dumps(m) for m in plan.metrics) + b"\n"
        )
    return plans


@dataclass(frozen=True)
class WorldEvent:
    """Something the generated world makes happen, that the desk's alerts should point at."""

    name: str
    kind: str  # burst | audience_jump | stale | quiet
    channels: tuple[str, ...]  # plan keys
    start: datetime
    end: datetime


def world_events(*, days: int = 90, now: datetime | None = None) -> list[WorldEvent]:
    """The events `generate` writes into the world with the same arguments, for measuring alerts."""
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=days)
    wave = (start + timedelta(days=days - WAVE_DAYS_AGO)).replace(hour=0)
    jump = (start + timedelta(days=days - JUMP_DAYS_AGO)).replace(hour=0)
    blog = next(p for p in _plans() if p.key == "blog")
    return [
        WorldEvent(
            "overnight recall wave",
            "burst",
            WAVE_CHANNELS,
            wave + timedelta(hours=1),
            wave + timedelta(hours=5),
        ),
        WorldEvent("bought followers", "audience_jump", ("instagram",), jump, jump + timedelta(days=1)),
        WorldEvent(
            "blog left to rot", "stale", ("blog",), now - timedelta(days=blog.last_post_days_ago), now
        ),
        WorldEvent("community gone quiet", "quiet", ("community",), start, now),
    ]


# Messages younger than this are answered at half the channel's usual rate: the desk's current backlog.
RECENT_DAYS = 3


def _maybe_answer(plan, rng, add, rec, mid, at, now, kind):
    if kind in {"spam", "chatter"} and rng.random() < 0.9:
        return
    # The team caught up on older weeks; the last days leave people waiting, also inside busy threads.
    recent = now - at < timedelta(days=RECENT_DAYS)
    rate = plan.answer_rate * 0.5 if recent else 1.0
    if rng.random() > rate:
        return
    # Off-hours and weekends wait longer: the desk sleeps.
    delay_h = rng.lognormvariate(1.0, 1.0)
    if at.hour < 8 or at.hour >= 20:
        delay_h += (8 - at.hour) % 24 + rng.random() * 2
    if at.weekday() >= 5:
        delay_h += rng.choice([0, 24, 40])
    answered = at + timedelta(hours=delay_h)
    if answered >= now:
        return
    name = rec["author"]["name"].split(" ")[0] or "there"
    text = rng.choice(REPLIES).format(name=name, answer=rng.choice(ANSWERS))
    reply = {
        "kind": "reply",
        "direction": "outbound",
        "created_at": answered.isoformat(),
        "parent_id": mid,
        "text": text,
        "author": {"id": f"brand-{plan.key}", "handle": plan.handle, "name": plan.name},
    }
    if rec.get("thread_id"):
        reply["thread_id"] = rec["thread_id"]
    add(reply)


def _negative_wave(plan, rng, add, people, day_start, posts):
    """A recall story breaks at 01:00: four hours of angry, worried messages while the desk sleeps."""
    earlier = [p for p in posts if p[1] < day_start] or posts
    parent = earlier[-1][0]
    for i in range(70 if plan.key == "instagram" else 45):
        at = day_start + timedelta(hours=1, minutes=int(i * 240 / 70) + rng.randint(0, 3))
        add(
            {
                "kind": "comment",
                "direction": "inbound",
                "created_at": at.isoformat(),
                "parent_id": parent,
                "text": _fill(rng.choice(WAVE), rng),
                "author": rng.choice(people),
            }
        )


def _metrics(
    plan: ChannelPlan, rng: random.Random, start: datetime, days: int, jump_day: int | None
) -> list[dict[str, Any]]:
    out = []
    followers = plan.followers_start or (plan.members or 0)
    visits = max(plan.followers_start // 30, 40)
    for day in range(days + 1):
        at = (start + timedelta(days=day)).replace(hour=0)
        followers += int(rng.gauss(followers * 0.0008, followers * 0.0003 + 2))
        if plan.members:
            followers = plan.members
        v = int(visits * rng.uniform(0.85, 1.15))
        if jump_day is not None and day == jump_day:
            followers += 9_000  # bought overnight: no comments come with it
            v *= 10
        out.append({"name": "followers", "at": at.isoformat(), "value": followers})
        out.append({"name": "visits", "at": at.isoformat(), "value": v})
    return out
