from __future__ import annotations

import csv
import io

from tests.conftest import login
from tests.report.conftest import HOSTILE

SECRET = "s3cret-token-value"


def _url(world, table: str) -> str:
    return f"/api/v1/workspaces/{world.workspace.id}/exports/{table}"


def test_messages_export_streams_the_period(client, world, seeded) -> None:
    login(client, "mia@acme.test")
    r = client.get(_url(world, "messages.csv") + "?since=2026-03-01&until=2026-03-09")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 5
    assert any(row["text"] == HOSTILE for row in rows)
    later = client.get(_url(world, "messages.json") + "?since=2026-03-05&until=2026-03-09").json()
    assert [m["text"] for m in later] == [HOSTILE]
    assert client.get(_url(world, "messages.json") + "?since=2024-01-01&until=2026-03-09").status_code == 422


def test_conversation_export_filters(client, world, seeded) -> None:
    login(client, "mia@acme.test")
    everything = client.get(_url(world, "conversations.json")).json()
    assert len(everything) == 3
    waiting = client.get(_url(world, "conversations.json") + "?needs_reply=true").json()
    assert len(waiting) == 1 and waiting[0]["assignee"] is None


def test_every_export_answers_and_never_leaks_credentials(client, world, seeded) -> None:
    login(client, "admin@acme.test")
    for table in ("conversations", "messages", "posts", "campaigns", "audit", "channel-health"):
        for ext in ("csv", "json"):
            r = client.get(
                _url(world, f"{table}.{ext}") + ("?since=2026-03-01" if table == "messages" else "")
            )
            assert r.status_code == 200, (table, ext, r.text)
            assert SECRET not in r.text and "credentials" not in r.text.lower(), (table, ext)
    campaigns = client.get(_url(world, "campaigns.json")).json()
    assert [(c["campaign"], c["kpi"], c["target"]) for c in campaigns] == [
        ("Spring roast", "Bags sold", 500.0)
    ]
    health = client.get(_url(world, "channel-health.csv")).text
    assert "Acme on Fake" in health and "acme-fake" not in health  # no configuration either
    posts = client.get(_url(world, "posts.json")).json()
    assert [p["text"] for p in posts] == ["New roast"]


def test_audit_export_drops_secret_keys() -> None:
    from tending.report.exports import _without_secrets

    assert _without_secrets(
        {"name": "x", "credentials": {"token": "t"}, "items": [{"api_token": "y", "k": 1}]}
    ) == {
        "name": "x",
        "items": [{"k": 1}],
    }


def test_outsider_and_unknown_table_get_404(client, world, seeded) -> None:
    login(client, "otto@agency.test")
    assert client.get(_url(world, "messages.csv")).status_code == 404
    assert client.get(_url(world, "conversations.json")).status_code == 404
    client.cookies.clear()
    login(client, "mia@acme.test")
    assert client.get(_url(world, "credentials.csv")).status_code == 404
    assert client.get(_url(world, "messages.xml")).status_code == 404


def test_chunked_writers_cross_batch_boundaries() -> None:
    import json

    from tending.report.exports import BATCH, csv_chunks, json_chunks

    rows = [(i, f'text "{i}", with comma') for i in range(2 * BATCH + 3)]
    data = json.loads(b"".join(json_chunks(("id", "text"), iter(rows))))
    assert [d["id"] for d in data] == list(range(2 * BATCH + 3))
    parsed = list(csv.reader(io.StringIO("".join(csv_chunks(("id", "text"), iter(rows))))))
    assert parsed[0] == ["id", "text"] and len(parsed) == 2 * BATCH + 4 and parsed[-1][1] == rows[-1][1]
    assert json.loads(b"".join(json_chunks(("id",), iter([])))) == []


def test_durations_read_in_days_when_long() -> None:
    from tending.report.framework import hours

    assert (hours(1.25), hours(47.5), hours(6254.9), hours(None)) == ("1h 15m", "47h 30m", "260d 15h", "—")
