"""YouTube comments held for review or kept as likely spam: read marked, decided on the network."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from googleapiclient.http import HttpMockSequence

from tending.connectors.bases import ReviewDecision
from tending.connectors.youtube import YouTubeConnector

FIX = Path(__file__).parent / "fixtures" / "youtube"
CHANNEL = "UCLumenCoffee0000000001a"


class Recording(HttpMockSequence):
    def __init__(self, responses: list[tuple[dict[str, str], str]]) -> None:
        super().__init__(responses)
        self.sent: list[tuple[str, str]] = []

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **kw: Any) -> Any:
        self.sent.append((uri, method))
        return super().request(uri, method, body, headers, **kw)

    def query(self, index: int) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.sent[index][0]).query).items()}


def ok(name: str) -> tuple[dict[str, str], str]:
    return {"status": "200", "content-type": "application/json; charset=UTF-8"}, (FIX / name).read_text()


def youtube(http: Recording, **config: object) -> YouTubeConnector:
    return YouTubeConnector(
        config={"channel_id": CHANNEL, **config}, credentials={"access_token": "ya29.SECRET"}, http=http
    )


def test_held_and_likely_spam_comments_arrive_marked() -> None:
    http = Recording(
        [
            ok("threads_p2.json"),
            ok("threads_held.json"),
            ok("threads_likely_spam.json"),
            ok("author_channels.json"),
        ]
    )
    result = youtube(http, listen_held=True).fetch_since({})
    by_id = {it.external_id: it for it in result.items}
    assert by_id["UgzT0aaaaaaaaaaaaaaaaaaAaABAg"].network_review is None
    held, spam = by_id["UgzH1aaaaaaaaaaaaaaaaaaAaABAg"], by_id["UgzS1aaaaaaaaaaaaaaaaaaAaABAg"]
    assert held.network_review == "held_for_review" and spam.network_review == "likely_spam"
    assert held.kind == "comment" and held.thread_external_id == "vid00000001"
    assert held.author is not None and held.author.handle == "@carla.cafe"
    assert spam.text == "FREE beans giveaway, DM me on telegram"
    assert http.query(1)["moderationStatus"] == "heldForReview"
    assert http.query(2)["moderationStatus"] == "likelySpam"
    assert http.query(1)["allThreadsRelatedToChannelId"] == CHANNEL
    assert "moderationStatus" not in http.query(0)  # the published walk is unchanged
    # the held lists carry no floor: the next poll reads them again and ingestion drops the repeats
    assert result.cursor.keys() == {"threads"}


def test_without_listen_held_nothing_more_is_asked() -> None:
    http = Recording([ok("threads_p2.json"), ok("author_channels.json")])
    youtube(http).fetch_since({})
    assert len(http.sent) == 2


def test_decisions_call_set_moderation_status() -> None:
    http = Recording([({"status": "204"}, ""), ({"status": "204"}, "")])
    yt = youtube(http)
    yt.decide_review(external_id="UgzH1aaaaaaaaaaaaaaaaaaAaABAg", decision=ReviewDecision.approve)
    yt.decide_review(external_id="UgzS1aaaaaaaaaaaaaaaaaaAaABAg", decision=ReviewDecision.reject)
    assert [urlsplit(uri).path for uri, _ in http.sent] == ["/youtube/v3/comments/setModerationStatus"] * 2
    assert [method for _, method in http.sent] == ["POST", "POST"]
    assert http.query(0) == {"id": "UgzH1aaaaaaaaaaaaaaaaaaAaABAg", "moderationStatus": "published"}
    assert http.query(1)["moderationStatus"] == "rejected"
