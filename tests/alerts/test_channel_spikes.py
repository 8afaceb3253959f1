"""A burst on a channel that carries no campaign hashtag (a recall story in the comments) is a spike
incident at the hour it happened; the scan repeated later raises it once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import select

from tending.alerts.channel_spikes import scan_channel_spikes
from tending.alerts.models import AlertIncident, ChannelSpike
from tending.channel.models import Channel
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items

START = datetime(2026, 5, 1, tzinfo=UTC)
BURST = START + timedelta(days=15, hours=2)


def _records(n0: int, times: list[datetime], text: str) -> list[object]:
    out = []
    for k, at in enumerate(times):
        rec = {"id": f"m{n0 + k}", "text": text, "created_at": at.isoformat(), "author": {"id": f"u{k % 40}"}}
        out.append(item_from_record(rec, raw=orjson.dumps(rec).decode()))
    return out


def test_channel_burst_is_one_spike_incident_at_its_hour(session, world) -> None:
    ch = session.get(Channel, world.channel.id)
    steady = [START + timedelta(hours=3 * k, minutes=7) for k in range(8 * 16)]
    burst = [BURST + timedelta(minutes=2 * k) for k in range(25)]
    ingest_items(session, channel=ch, items=_records(0, steady, "Do you ship to Lyon?"))
    ingest_items(session, channel=ch, items=_records(1000, burst, "Is the recalled batch safe to drink?"))
    session.commit()
    until = START + timedelta(days=16)
    assert scan_channel_spikes(session, channel=ch, since=START, until=until, now=until) >= 1
    spikes = list(session.scalars(select(ChannelSpike)))
    assert {(s.metric, s.at) for s in spikes} == {("volume", BURST)}
    (incident,) = session.scalars(select(AlertIncident))
    assert (incident.kind, incident.channel_id, incident.opened_at) == ("spike", ch.id, BURST)
    assert incident.title.startswith("25 messages in an hour, ")
    assert len(incident.message_ids) == 25
    # Five minutes later the scan runs again over the same two weeks: nothing new.
    assert scan_channel_spikes(session, channel=ch, since=START, until=until, now=until) == 0
    assert session.scalar(select(AlertIncident.alert_count)) == 1
