"""YouTube's search.list and the comments of the videos found, answers shaped like the Data API's."""

from __future__ import annotations

from tests.connectors.test_youtube import RecordingHttp, _yt, ok

from tending.connectors.bases import SearchQuery
from tending.connectors.youtube.search import COMMENTED_VIDEOS, SEARCH_UNITS


def test_videos_matching_and_their_comments_are_found_and_publishedafter_moves_up() -> None:
    http = RecordingHttp([ok("search_videos.json"), ok("threads_latest.json")])
    connector = _yt(http)
    query = SearchQuery(terms=("lumen",), phrases=("cold brew",), exclusions=("giveaway",))
    result = connector.search(query, {"after": "2026-12-01T00:00:00Z"})
    ids = [it.external_id for it in result.items]
    assert ids[0] == "recall00001" and "giveaway001" not in ids
    video = result.items[0]
    assert video.kind == "post" and video.url == "https://www.youtube.com/watch?v=recall00001"
    assert video.author is not None and video.author.name == "Daily Food News"
    comments = result.items[1:]
    assert comments and all(c.thread_external_id == "recall00001" for c in comments)
    assert result.cursor == {"after": "2026-12-04T09:00:00Z"} and not result.has_more
    sent = http.query(0)
    assert http.path(0).endswith("/search")
    assert (
        sent["q"] == '(lumen|"cold brew") -giveaway' and sent["order"] == "date" and sent["type"] == "video"
    )
    assert sent["publishedAfter"] == "2026-12-01T00:00:00Z"
    assert http.query(1)["videoId"] == "recall00001"
    assert type(connector).search_cost == SEARCH_UNITS + COMMENTED_VIDEOS
