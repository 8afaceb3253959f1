"""Mastodon listening through Mastodon.py: hashtag and local public timelines, statuses shaped like the
documented Status entity (the connector's own recorded status, with other texts and ids)."""

from __future__ import annotations

import copy
from typing import Any

import responses
from tests.connectors.test_mastodon import BASE, _connector, _load, _query

from tending.connectors.bases import SearchQuery


def _status(sid: str, text: str, *, reblog: bool = False) -> dict[str, Any]:
    status = copy.deepcopy(_load("status_reply.json"))
    assert isinstance(status, dict)
    status.update(
        id=sid,
        content=f"<p>{text}</p>",
        in_reply_to_id=None,
        url=f"{BASE}/@alice/{sid}",
        created_at=f"2026-12-04T10:{int(sid[-2:]):02d}:00.000Z",
    )
    status["account"].update(id="2002", username="alice", acct="alice", display_name="Alice")
    if reblog:
        status["reblog"] = copy.deepcopy(status)
    return status


@responses.activate
def test_hashtag_and_local_timelines_are_filtered_and_resume_with_min_id() -> None:
    responses.get(
        f"{BASE}/api/v1/timelines/tag/lumen",
        json=[
            _status("112000000000000012", "#lumen cold brew recall, keep your receipts"),
            _status("112000000000000011", "#lumen giveaway"),
        ],
    )
    responses.get(
        f"{BASE}/api/v1/timelines/public",
        json=[
            _status("112000000000000015", "the Lumen cold brew made my kid sick"),
            _status("112000000000000014", "nice weather in Lyon"),
            _status("112000000000000013", "lumen boosted", reblog=True),
        ],
    )
    connector = _connector()
    query = SearchQuery(terms=("#lumen", "lumen"), exclusions=("giveaway",))
    result = connector.search(query, {"public:local": "112000000000000001"})
    assert [it.external_id for it in result.items] == ["112000000000000012", "112000000000000015"]
    assert result.items[0].text.startswith("#lumen cold brew recall")
    assert result.items[1].author is not None and result.items[1].author.handle == "alice"
    assert result.cursor == {"tag:lumen": "112000000000000012", "public:local": "112000000000000015"}
    public = next(c for c in responses.calls if "/timelines/public" in c.request.url)
    assert _query(public)["local"] == ["1"] and _query(public)["min_id"] == ["112000000000000001"]
