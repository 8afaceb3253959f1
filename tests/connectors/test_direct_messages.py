"""Which networks read and answer direct messages, and the windows they set (the capability table in
docs/connectors.md)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from responses import matchers

from tending.connectors.bases import ListenCapability, ReplyCapability
from tending.connectors.bases.messages import DirectMessageCapability
from tending.connectors.registry import available

BASE = "https://mastodon.example"


@pytest.mark.parametrize(
    ("network", "direct", "window"),
    [
        ("facebook", True, timedelta(hours=24)),
        ("instagram", True, timedelta(hours=24)),
        ("x", True, None),
        ("bluesky", True, None),
        ("reddit", True, None),
        ("mastodon", True, None),
        ("linkedin", False, None),
        ("youtube", False, None),
        ("rss", False, None),
    ],
)
def test_direct_message_capability_per_network(network: str, direct: bool, window: timedelta | None) -> None:
    cls = available()[network]
    assert issubclass(cls, DirectMessageCapability) is direct
    if direct:
        assert issubclass(cls, ListenCapability) and issubclass(cls, ReplyCapability)
        assert cls.messaging_window.standard == window  # type: ignore[attr-defined]


@responses.activate
def test_mastodon_direct_conversations_read_on_their_own() -> None:
    from tending.connectors.mastodon import MastodonConnector

    fixture = Path(__file__).parent / "fixtures" / "mastodon" / "conversations_first.json"
    responses.get(
        f"{BASE}/api/v1/conversations/",
        json=json.loads(fixture.read_text()),
        match=[matchers.query_param_matcher({"limit": "40"})],
    )
    connector = MastodonConnector(config={"api_base_url": BASE}, credentials={"access_token": "tok"})
    result = connector.fetch_direct({})
    assert [(it.kind, it.thread_external_id) for it in result.items] == [("direct", "conversation:77")]
    assert result.cursor == {"conversations_min_id": "111000000000000201"}
