"""Length limits per network, counted as each network counts, refused at draft time."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.conftest import login

from tending.auth.models import User
from tending.channel.models import Channel
from tending.publishing import service
from tending.publishing.limits import measure
from tending.publishing.models import PostCreate
from tending.publishing.service import PostRefused

LONG_URL = "https://shop.example.com/collections/spring-2026/oat-milk-flat-white?utm_source=x&utm_campaign=x"


def _channel(network: str, **config: object) -> Channel:
    return Channel(workspace_id=1, network=network, name=network, external_id=network, config=dict(config))


def test_x_weighs_links_at_23_and_cjk_and_emoji_at_2() -> None:
    x = _channel("x")
    assert measure(x, "a" * 256 + " " + LONG_URL).used == 280
    assert not measure(x, "a" * 256 + " " + LONG_URL).over
    over = measure(x, "a" * 257 + " " + LONG_URL)
    assert over.used == 281 and over.over and over.problem == "1 over the limit"
    assert measure(x, "日" * 140).used == 280 and measure(x, "日" * 141).over
    assert measure(x, "👍🏽" * 140).used == 280 and measure(x, "👍🏽" * 141).over


def test_bluesky_counts_graphemes() -> None:
    bsky = _channel("bluesky")
    family = "👨\u200d👩\u200d👧"  # one grapheme, five code points
    assert measure(bsky, family * 300).used == 300 and not measure(bsky, family * 300).over
    assert measure(bsky, family * 301).over
    assert measure(bsky, "é" * 300).used == 300  # e + combining accent: one grapheme each


def test_mastodon_uses_the_instance_limit_links_and_local_part_of_mentions() -> None:
    default = _channel("mastodon")
    assert measure(default, "a" * 500).limit == 500 and measure(default, "a" * 501).over
    text = "@barista@coffee.social " + "a" * 470 + " " + LONG_URL
    assert measure(default, text).used == len("@barista ") + 470 + 1 + 23
    roomy = _channel("mastodon", max_characters=5000)
    assert measure(roomy, "a" * 5000).limit == 5000 and not measure(roomy, "a" * 5000).over


def test_other_networks() -> None:
    assert (
        not measure(_channel("linkedin"), "a" * 3000).over and measure(_channel("linkedin"), "a" * 3001).over
    )
    tags = " ".join(f"#tag{i}" for i in range(31))
    insta = measure(_channel("instagram"), tags)
    assert insta.over and insta.problem == "31 hashtags, Instagram allows 30"
    assert not measure(_channel("instagram"), " ".join(f"#tag{i}" for i in range(30))).over
    assert (
        measure(_channel("reddit"), "t" * 301 + "\nbody").problem == "the title (first line) has 301 of 300"
    )
    assert measure(_channel("facebook"), "a" * 63207).over
    assert measure(_channel("rss"), "a" * 90000).limit is None
    assert measure(_channel("fake", simulates="x"), "a" * 281).over  # a demo channel plays its network


@pytest.fixture()
def x_channel(session: Session, world) -> int:  # type: ignore[no-untyped-def]
    channel = Channel(
        workspace_id=world.workspace.id, network="x", name="Acme on X", external_id="acme-x", config={}
    )
    session.add(channel)
    session.commit()
    return channel.id


def test_the_service_refuses_a_draft_or_an_edit_over_the_limit(
    session: Session, world, x_channel: int
) -> None:  # type: ignore[no-untyped-def]
    member = session.get(User, world.member.id)
    assert member is not None
    with pytest.raises(
        PostRefused,
        match=r"text: 281 of 280 characters on X \(links count 23, emoji and CJK 2\), 1 over the limit; shorten it",
    ):
        service.create_draft(
            session,
            workspace_id=world.workspace.id,
            author=member,
            post_in=PostCreate(channel_id=x_channel, text="a" * 281),
        )
    post = service.create_draft(
        session,
        workspace_id=world.workspace.id,
        author=member,
        post_in=PostCreate(channel_id=x_channel, text="ok"),
    )
    with pytest.raises(PostRefused, match="1 over the limit"):
        service.edit(session, post=post, actor=member, text="b" * 281, scheduled_at=None)
    assert post.text == "ok"
    # the same text is fine on a network that allows it
    service.create_draft(
        session,
        workspace_id=world.workspace.id,
        author=member,
        post_in=PostCreate(channel_id=world.channel.id, text="a" * 281),
    )


def test_api_and_compose_page_say_why(client, world, x_channel: int) -> None:  # type: ignore[no-untyped-def]
    login(client, "mia@acme.test")
    r = client.post(
        f"/api/v1/workspaces/{world.workspace.id}/posts", json={"channel_id": x_channel, "text": "a" * 300}
    )
    assert r.status_code == 400 and "300 of 280 characters" in r.text and "20 over the limit" in r.text
    page = client.get("/w/acme/calendar")
    assert page.status_code == 200 and 'data-testid="length-notice"' in page.text
    notice = client.post("/w/acme/calendar/length", data={"channel_id": x_channel, "text": "a" * 290})
    assert notice.status_code == 200
    assert "10 over the limit on X" in notice.text and "(290 of 280 characters)" in notice.text
    assert 'class="length-notice over"' in notice.text
    fine = client.post("/w/acme/calendar/length", data={"channel_id": x_channel, "text": "Fresh roast"})
    assert "11 of 280 characters on X" in fine.text and "over the limit" not in fine.text
    assert 'class="length-notice"' in fine.text
    other = client.post("/w/acme/calendar/length", data={"channel_id": world.other_channel.id, "text": "x"})
    assert other.status_code == 400
