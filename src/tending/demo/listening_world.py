"""The demo's untagged talk: public posts about Northwind that never tag it, for the listening page.

A few posts a day over the whole history (praise, questions, complaints, all naming the brand or its
products without a mention), and a burst when the recall story breaks: people talk about a recall on
their own timelines hours before they write to the brand.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from sqlalchemy.orm import Session, sessionmaker

from tending.config import Settings
from tending.demo.world import WAVE_DAYS_AGO
from tending.listening.models import ListeningQuery

SOURCE = "listening.jsonl"
QUERY_TERMS = ["Northwind", "#northwindcoffee"]
QUERY_PHRASES = ["northwind coffee", "cold brew recall"]

EVERYDAY = [
    "Northwind's {p} is the only thing getting me through Mondays",
    "anyone know if Northwind coffee ships to {city}?",
    "tried the Northwind {p} at a friend's, not sure it's worth the price",
    "Northwind coffee vs the supermarket stuff: night and day #northwindcoffee",
    "my Northwind subscription box came two days late again",
    "the barista at Northwind in {city} remembered my order, small joys",
    "is Northwind's packaging actually compostable or is that marketing?",
    "Northwind {p} with oat milk > everything",
]
RECALL = [
    "just saw Northwind is recalling a batch, check your bags people",
    "cold brew recall at Northwind?? I drank two cans this week",
    "why is Northwind not saying anything about the recall on their own account",
    "Northwind coffee recall: my pharmacist says keep the receipt",
    "my whole office bought the Northwind {p}, now there's a recall. great.",
    "the Northwind recall news is everywhere except Northwind's page",
]
PRODUCTS = ["cold brew", "espresso blend", "decaf", "spring blend", "filter roast"]
CITIES = ["Lyon", "Leeds", "Porto", "Ghent", "Bilbao"]
NETWORK_URL = "https://fake.example/public/"


def write_listening(out_dir: Path, *, days: int, seed: int, now: datetime | None = None) -> Path:
    """Write the demo's public posts (generic format) and return the file."""
    rng = random.Random(seed * 31 + 5)
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=days)
    wave = (start + timedelta(days=days - WAVE_DAYS_AGO)).replace(hour=0)
    records: list[dict[str, object]] = []

    def post(at: datetime, template: str) -> None:
        n = len(records)
        text = template.format(p=rng.choice(PRODUCTS), city=rng.choice(CITIES))
        handle = f"{rng.choice(['sam', 'lee', 'ana', 'joe', 'mia', 'kai', 'zoe'])}{rng.randint(10, 999)}"
        records.append(
            {
                "id": f"public-{n}",
                "kind": "post",
                "direction": "inbound",
                "created_at": at.isoformat(),
                "text": text,
                "language": "en",
                "url": f"{NETWORK_URL}{n}",
                "author": {"id": f"public-author-{handle}", "handle": handle, "name": handle.title()},
            }
        )

    for day in range(days):
        for _ in range(rng.randint(1, 4)):
            post(
                start + timedelta(days=day, hours=rng.randint(7, 22), minutes=rng.randint(0, 59)),
                rng.choice(EVERYDAY),
            )
    for i in range(40):  # the story breaks overnight, before anyone writes to the brand
        post(wave + timedelta(minutes=15 + i * 6 + rng.randint(0, 4)), rng.choice(RECALL))
    records.sort(key=lambda r: str(r["created_at"]))
    path = out_dir / SOURCE
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    return path


def listen_in_demo(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    workspace_id: int,
    channel_id: int,
    days: int,
    seed: int,
    now: datetime,
) -> None:
    """Give the demo a listening query on the channel whose account searches, run it, and scan its
    history for spikes as the worker would have."""
    from tending.channel.models import Channel
    from tending.listening.models import QueryIn
    from tending.listening.service import create_query, run_query
    from tending.listening.spikes import scan_query_spikes

    write_listening(settings.demo_dir, days=days, seed=seed, now=now)
    with factory() as session:
        channel = session.get(Channel, channel_id)
        if channel is None:
            return
        channel.config = {**channel.config, "listening_source": SOURCE}
        data = QueryIn(name="Northwind talk", terms=QUERY_TERMS, phrases=QUERY_PHRASES, networks=["fake"])
        made = create_query(session, workspace_id=workspace_id, data=data, actor=None, settings=settings)
        session.commit()
        query_id = made.id
    run_query(factory, settings=settings, query_id=query_id, now=now, max_pages=1000)
    with factory() as session:
        query = session.get(ListeningQuery, query_id)
        if query is not None:
            scan_query_spikes(session, query=query, since=now - timedelta(days=days), until=now, now=now)
            session.commit()
