"""Channels are labelled with the network people know, never the internal `fake` of demo channels."""

from __future__ import annotations

from tending.channel.models import Channel


def test_network_label() -> None:
    assert Channel(network="fake", config={"simulates": "facebook"}).network_label == "Facebook"
    assert Channel(network="fake", config={"simulates": "rss"}).network_label == "Blog"
    assert Channel(network="fake", config={}).network_label == "Test channel"
    assert Channel(network="youtube", config={}).network_label == "YouTube"
    assert Channel(network="newnet", config={}).network_label == "Newnet"
