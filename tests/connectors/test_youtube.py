from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from googleapiclient.http import HttpMockSequence

from tending.connectors.bases import AuthExpired, MalformedResponse, NotPermitted, RateLimited, UpstreamError
from tending.connectors.youtube import YouTubeConnector
from tending.connectors.youtube.client import seconds_to_quota_reset

FIX = Path(__file__).parent / "fixtures" / "youtube"
CHANNEL = "UCLumenCoffee0000000001a"
T2 = "UgzT2aaaaaaaaaaaaaaaaaaAaABAg"


class RecordingHttp(HttpMockSequence):
    """HttpMockSequence that also keeps each request sent, to assert on URLs and bodies."""

    def __init__(self, responses: list[tuple[dict[str, str], str]]) -> None:
        super().__init__(responses)
        self.sent: list[tuple[str, str, Any]] = []

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **kw: Any) -> Any:
        self.sent.append((uri, method, body))
        return super().request(uri, method, body, headers, **kw)

    def query(self, index: int) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.sent[index][0]).query).items()}

    def path(self, index: int) -> str:
        return urlsplit(self.sent[index][0]).path


def ok(name: str) -> tuple[dict[str, str], str]:
    return {"status": "200", "content-type": "application/json; charset=UTF-8"}, (FIX / name).read_text()


def _yt(http: RecordingHttp, **config: object) -> YouTubeConnector:
    return YouTubeConnector(
        config={"channel_id": CHANNEL, **config}, credentials={"access_token": "ya29.SECRET"}, http=http
    )


def _ids(result: Any) -> list[str]:
    return [it.external_id for it in result.items]


def test_threads_and_replies_are_walked_page_by_page_and_resume_at_the_floor() -> None:
    http = RecordingHttp(
        [
            ok("threads_p1.json"),
            ok("replies.json"),
            ok("author_channels.json"),
            ok("threads_p2.json"),
            ok("author_channels.json"),
            ok("threads_latest.json"),
            ok("author_channels.json"),
        ]
    )
    yt = _yt(http, start="beginning", page_size=2)

    one = yt.fetch_since({})
    assert _ids(one) == ["UgzT1aaaaaaaaaaaaaaaaaaAaABAg", T2, f"{T2}.9zR2a", f"{T2}.9zR2b"]
    audio, question, follow, ours = one.items
    assert question.kind == "comment" and question.thread_external_id == "vid00000001"
    assert question.parent_external_id == "vid00000001"
    assert question.url == f"https://www.youtube.com/watch?v=vid00000001&lc={T2}"
    assert question.text == "Which grinder do you use in this video?"
    assert question.created_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    alice = question.author
    assert alice is not None
    assert (alice.external_id, alice.handle, alice.name) == (
        "UCaliceChannel0000000001",
        "@alice.brews",
        "Alice",
    )
    assert (alice.followers, alice.posts_count, alice.bio) == (152, 12, "Home barista. Lyon.")
    assert alice.account_created_at == datetime(2015, 6, 1, 12, tzinfo=UTC)
    assert follow.kind == "reply" and follow.parent_external_id == T2
    assert follow.author is not None and follow.author.followers is None  # hidden subscriber count
    assert ours.direction == "outbound" and audio.thread_external_id == "vid00000002"
    assert json.loads(ours.raw or "{}")["snippet"]["parentId"] == T2
    assert one.has_more is True
    first = http.query(0)
    assert http.path(0) == "/youtube/v3/commentThreads"
    assert first["allThreadsRelatedToChannelId"] == CHANNEL and first["order"] == "time"
    assert first["part"] == "snippet,replies" and "pageToken" not in first
    assert http.query(1)["parentId"] == T2  # the thread had more replies than it carried
    assert http.query(2)["id"].split(",") == sorted(
        ["UCaliceChannel0000000001", "UCbrunoChannel0000000002", "UCchenChannel00000000003", CHANNEL]
    )

    two = yt.fetch_since(one.cursor)
    assert _ids(two) == ["UgzT0aaaaaaaaaaaaaaaaaaAaABAg"] and two.has_more is False
    assert http.query(3)["pageToken"] == "QURTSl9pMk5OUGNJ"

    three = yt.fetch_since(two.cursor)
    assert _ids(three) == ["UgzT3aaaaaaaaaaaaaaaaaaAaABAg"]
    assert three.has_more is False  # the floor was reached: the next page is not asked for
    assert "pageToken" not in http.query(5)
    assert len(http.sent) == 7


def test_first_latest_poll_reads_one_page() -> None:
    http = RecordingHttp([ok("threads_p1.json"), ok("replies.json"), ok("author_channels.json")])
    result = _yt(http).fetch_since({})
    assert len(result.items) == 4 and result.has_more is False and "page" not in result.cursor["threads"]


def _error(status: int, name: str | None, **headers: str) -> tuple[dict[str, str], str]:
    body = (FIX / name).read_text() if name else "<html><body>Bad Gateway</body></html>"
    return {"status": str(status), **headers}, body


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (_error(401, "error_401.json"), AuthExpired),
        (_error(403, "error_quota.json"), RateLimited),
        (_error(429, "error_429.json", **{"retry-after": "45"}), RateLimited),
        (_error(503, "error_503.json"), UpstreamError),
        (_error(502, None), UpstreamError),
        (_error(403, "error_comments_disabled.json"), NotPermitted),
        (({"status": "200"}, "<html>not json</html>"), MalformedResponse),
        (({"status": "200"}, '{"items": {"not": "a list"}}'), MalformedResponse),
    ],
)
def test_errors(response: tuple[dict[str, str], str], error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        _yt(RecordingHttp([response])).fetch_since({})
    assert "SECRET" not in str(caught.value)
    if response[0].get("retry-after"):
        assert caught.value.retry_after == 45.0  # type: ignore[attr-defined]
    if "quota" in str(caught.value):
        assert 60 <= caught.value.retry_after <= 86400  # type: ignore[attr-defined]


def test_quota_resets_at_pacific_midnight() -> None:
    # 07:00 UTC on 5 March 2024 is 23:00 the day before in California (PST, UTC-8): one hour to go
    assert seconds_to_quota_reset(datetime(2024, 3, 5, 7, 0, tzinfo=UTC)) == 3600


def test_reply_to_a_top_comment_inserts_under_it() -> None:
    http = RecordingHttp([ok("inserted_reply.json")])
    sent = _yt(http).reply(
        parent_external_id="UgzT1aaaaaaaaaaaaaaaaaaAaABAg", text="Thanks, fixed in the re-upload!"
    )
    uri, method, body = http.sent[0]
    assert method == "POST" and urlsplit(uri).path == "/youtube/v3/comments"
    assert http.query(0)["part"] == "snippet"
    assert json.loads(body) == {
        "snippet": {
            "parentId": "UgzT1aaaaaaaaaaaaaaaaaaAaABAg",
            "textOriginal": "Thanks, fixed in the re-upload!",
        }
    }
    assert sent.external_id == "UgzT1aaaaaaaaaaaaaaaaaaAaABAg.9zNew1"
    assert sent.url == "https://www.youtube.com/watch?v=vid00000002&lc=UgzT1aaaaaaaaaaaaaaaaaaAaABAg.9zNew1"
    assert sent.created_at == datetime(2024, 3, 6, 10, tzinfo=UTC)


def test_reply_to_a_reply_answers_in_its_thread_with_a_mention() -> None:
    replies = json.loads((FIX / "replies.json").read_text())
    lookup = {"kind": "youtube#commentListResponse", "items": [replies["items"][0]]}
    http = RecordingHttp([({"status": "200"}, json.dumps(lookup)), ok("inserted_reply.json")])
    _yt(http).reply(parent_external_id=f"{T2}.9zR2a", text="Same grinder!")
    assert http.query(0)["id"] == f"{T2}.9zR2a"
    assert json.loads(http.sent[1][2])["snippet"] == {"parentId": T2, "textOriginal": "@brunod Same grinder!"}


def test_metrics_reads_channel_statistics() -> None:
    http = RecordingHttp([ok("channel_statistics.json")])
    points = _yt(http).metrics(since=datetime(2024, 3, 1, tzinfo=UTC), until=datetime(2024, 3, 5, tzinfo=UTC))
    assert {p.name: p.value for p in points} == {"subscribers": 21800, "views": 1830455, "videos": 214}
    assert http.query(0) == {"part": "statistics", "id": CHANNEL, "alt": "json"}
