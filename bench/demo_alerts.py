"""How many alerts the demo desk raises over its history, and how many point at a real event of its world.

  python bench/demo_alerts.py [--days 90] [--seed 7] [--json out.json]

Builds the demo desk (SQLite in a temporary folder, background work inline as `tending demo` runs it),
then runs once what the serving demo's minute jobs run (routing, the SLA check, the campaign spike scan
over the last two weeks, the cadence check). Every alert row is then counted and matched against the
events the generator wrote into the world (`tending.demo.world.world_events`, read from this checkout
even when another checkout's `src` is first on PYTHONPATH, so that an older version of the desk is
scored against the same events):

- overnight recall wave (Instagram and X, 01:00-05:00): a spike or scenario match from 1 h before to
  3 h after it, on a campaign of those channels;
- bought followers (Instagram): an audience alert that day;
- blog left to rot, community gone quiet: a cadence / silence alert on that channel.

Incidents are counted as people see them (scenario-match groups below their quorum are not listed).
Also reported: who owns the conversations waiting for a reply once the SLA check has escalated its
breaches (the escalation person of the demo's policies is Dana Admin).
Precision = alerts that point at an event / alerts of event detectors (spikes, scenario matches,
cadence, audience); SLA alerts are reminders about one conversation each, true by construction, and
are counted apart. Recall = events with at least one alert pointing at them / events. Scenario matches
on generated praise (the PRAISE templates) are counted as crisis alerts on praise. Where the desk has
incidents, the same is reported per incident.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

HERE = Path(__file__).resolve().parents[1]
SLACK_BEFORE = timedelta(hours=1)
SLACK_AFTER = timedelta(hours=3)


def _world_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_world", HERE / "src/tending/demo/world.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_world"] = module
    spec.loader.exec_module(module)
    return module


def _template_pattern(templates: list[str]) -> re.Pattern[str]:
    parts = [re.escape(t).replace(r"\{p\}", ".+?").replace(r"\{friend\}", r"\w+") for t in templates]
    return re.compile("^(" + "|".join(parts) + ")$")


def _build(data_dir: Path, *, days: int, seed: int, now: datetime) -> tuple[Any, float]:
    # The inline background tasks read the process settings: point them at the same data folder.
    os.environ["TENDING_DATA_DIR"] = str(data_dir)
    os.environ.pop("TENDING_DATABASE_URL", None)
    os.environ["TENDING_DEMO_CONNECTORS"] = "1"  # the demo's channels are served by the `fake` connector
    from tending.config import get_settings
    from tending.database.cli_support import open_database
    from tending.demo.service import build_demo
    from tending.worker import huey

    get_settings.cache_clear()
    settings = get_settings()
    huey.immediate = True
    factory = open_database(settings)
    started = time.perf_counter()
    build_demo(factory, settings=settings, days=days, seed=seed, now=now)
    return factory, time.perf_counter() - started


def _minute_jobs(factory: Any, *, now: datetime) -> None:
    """What the serving demo runs in its first minutes, at `now`."""
    from tending.cadence.service import check_cadence
    from tending.campaign import spikes
    from tending.campaign.models import Campaign, CampaignStatus
    from tending.routing.service import route_unassigned
    from tending.sla.service import check_sla

    with factory() as s:
        ws = 1
        route_unassigned(s, workspace_id=ws, now=now)
        check_sla(s, workspace_id=ws, now=now)
        for cid in s.scalars(select(Campaign.id).where(Campaign.status == CampaignStatus.launched.value)):
            if hasattr(spikes, "scan_campaign_spikes"):
                spikes.scan_campaign_spikes(
                    s, campaign_id=cid, since=now - timedelta(days=14), until=now, now=now
                )
            else:  # the scan as it was: 5-minute buckets
                from tending.detection.scorers import band_scorer

                for metric, share in (("volume", False), ("negative_share", True)):
                    spikes.detect_campaign_spikes(
                        s,
                        campaign_id=cid,
                        scorer=band_scorer(step_seconds=300, share=share),
                        since=now - timedelta(days=14),
                        until=now,
                        now=now,
                        resolution="5min",
                        metrics=(metric,),
                    )
        if importlib.util.find_spec("tending.alerts") is not None:
            from tending.alerts.channel_spikes import scan_channel_spikes
            from tending.channel.models import Channel

            for channel in s.scalars(select(Channel)):
                scan_channel_spikes(s, channel=channel, since=now - timedelta(days=14), until=now, now=now)
        check_cadence(s, workspace_id=ws, now=now)
        s.commit()


def _near(event: Any, start: datetime, end: datetime) -> bool:
    return start <= event.end + SLACK_AFTER and end >= event.start - SLACK_BEFORE


def _scores(counts: Counter[str], pointing: Counter[str], found: set[str], events: int) -> dict[str, Any]:
    total = sum(counts.values())
    return {
        "by_kind": dict(counts),
        "pointing_by_kind": dict(pointing),
        "total": total,
        "precision": round(sum(pointing.values()) / total, 3) if total else None,
        "recall": round(len(found) / events, 3),
        "events_found": sorted(found),
    }


def measure(*, days: int, seed: int, now: datetime) -> dict[str, Any]:
    from tending.auth.models import User
    from tending.cadence.models import ChannelAlert
    from tending.campaign.models import Campaign, CampaignAlert
    from tending.channel.models import Channel
    from tending.inbox.models import Conversation, Message
    from tending.sla.models import SlaAlert

    world = _world_module()
    events = world.world_events(days=days, now=now)
    praise = _template_pattern(world.PRAISE)
    with tempfile.TemporaryDirectory() as tmp:
        factory, build_s = _build(Path(tmp), days=days, seed=seed, now=now)
        _minute_jobs(factory, now=now)
        with factory() as s:
            key_of = {c.id: c.external_id.removeprefix("demo-") for c in s.scalars(select(Channel))}
            campaign_keys = {c.id: {key_of[ch.id] for ch in c.channels} for c in s.scalars(select(Campaign))}
            counts: Counter[str] = Counter()
            pointing: Counter[str] = Counter()
            found: set[str] = set()
            praise_matches = 0

            def score(label: str, keys: set[str], start: datetime, end: datetime, kinds: set[str]) -> None:
                counts[label] += 1
                hits = [
                    e.name
                    for e in events
                    if e.kind in kinds and keys & set(e.channels) and _near(e, start, end)
                ]
                if hits:
                    pointing[label] += 1
                    found.update(hits)

            for a, text in s.execute(
                select(CampaignAlert, Message.text).outerjoin(Message, Message.id == CampaignAlert.message_id)
            ):
                at = a.at or a.created_at
                label = f"campaign {a.kind}" + (f" ({a.metric})" if a.metric else "")
                score(label, campaign_keys[a.campaign_id], at, at, {"burst"})
                if a.kind == "scenario_match" and text and praise.match(text):
                    praise_matches += 1
            for c in s.scalars(select(ChannelAlert)):
                # Staleness alerts speak of the state now: they point at a stale/quiet channel event.
                kinds = {"stale", "quiet"} if c.kind in ("cadence", "silent") else set()
                score(f"channel {c.kind}", {key_of[c.channel_id]}, now, now, kinds)
            sla = Counter(a.level for a in s.scalars(select(SlaAlert)))
            # Who holds the open work after the SLA check escalated its breaches.
            owners = Counter(
                name or "nobody"
                for name in s.scalars(
                    select(User.name)
                    .select_from(Conversation)
                    .outerjoin(User, User.id == Conversation.assignee_id)
                    .where(Conversation.status != "closed", Conversation.needs_reply.is_(True))
                )
            )
            if importlib.util.find_spec("tending.alerts") is not None:
                from tending.alerts.models import AlertIncident, ChannelSpike

                for spike in s.scalars(select(ChannelSpike)):
                    score(
                        f"channel spike ({spike.metric})",
                        {key_of[spike.channel_id]},
                        spike.at,
                        spike.at,
                        {"burst"},
                    )
                for i in s.scalars(select(AlertIncident).where(AlertIncident.kind == "audience_jump")):
                    for e in i.evidence:  # one alert per jump (day and figure)
                        at = datetime.fromisoformat(e["at"])
                        score("audience jump", {key_of[i.channel_id or 0]}, at, at, {"audience_jump"})
            incidents: dict[str, Any] | None = None
            if importlib.util.find_spec("tending.alerts") is not None:
                from tending.alerts.models import AlertIncident
                from tending.alerts.service import shown

                below_quorum = len(list(s.scalars(select(AlertIncident.id).where(~shown()))))
                icounts: Counter[str] = Counter()
                ipointing: Counter[str] = Counter()
                ifound: set[str] = set()
                wave_incidents = []
                missed: list[str] = []
                for i in s.scalars(select(AlertIncident).where(shown())):
                    if i.kind.startswith("sla_"):
                        icounts[i.kind] += 1
                        continue
                    keys: set[str] = set()
                    for place in _places(i):  # one incident may span channels and a campaign
                        what, _, ident = place.partition(":")
                        if what == "campaign":
                            keys |= campaign_keys.get(int(ident), set())
                        elif what == "channel":
                            keys.add(key_of.get(int(ident), ""))
                    kinds = {
                        "spike": {"burst"},
                        "negative_spike": {"burst"},
                        "scenario_match": {"burst"},
                        "audience_jump": {"audience_jump"},
                        "cadence": {"stale", "quiet"},
                    }[i.kind]
                    start, end = (now, now) if i.kind == "cadence" else (i.opened_at, i.last_at)
                    icounts[i.kind] += 1
                    hits = [
                        e.name
                        for e in events
                        if e.kind in kinds and keys & set(e.channels) and _near(e, start, end)
                    ]
                    if not hits:
                        missed.append(f"{i.kind}: {i.title}")
                    else:
                        ipointing[i.kind] += 1
                        ifound.update(hits)
                        if "overnight recall wave" in hits:
                            wave_incidents.append((i.kind, i.alert_count, i.title))
                detector = Counter({k: n for k, n in icounts.items() if not k.startswith("sla_")})
                incidents = {
                    **_scores(detector, ipointing, ifound, len(events)),
                    "sla_incidents": {k: n for k, n in icounts.items() if k.startswith("sla_")},
                    "wave_incidents": wave_incidents,
                    "below_quorum_not_listed": below_quorum,
                    "not_pointing_at_an_event": missed,
                }
    return {
        "build_seconds": round(build_s, 1),
        **_scores(counts, pointing, found, len(events)),
        "events": [e.name for e in events],
        "scenario_matches_on_praise": praise_matches,
        "sla_alerts": dict(sla),
        "owners_of_waiting_conversations": dict(owners.most_common()),
        "incidents": incidents,
    }


def _places(incident: Any) -> list[str]:
    """Where an incident's alerts came from; a desk from before incidents spanned places has one."""
    try:
        from tending.alerts.service import places
    except ImportError:
        if incident.campaign_id:
            return [f"campaign:{incident.campaign_id}"]
        return [f"channel:{incident.channel_id or 0}"]
    return places(incident)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--now", default="2026-11-20T12:00:00+00:00", help="the demo's present (ISO time)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    import orjson

    result = measure(days=args.days, seed=args.seed, now=datetime.fromisoformat(args.now).astimezone(UTC))
    text = orjson.dumps(result, option=orjson.OPT_INDENT_2).decode()
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
