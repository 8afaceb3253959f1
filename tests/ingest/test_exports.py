from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tending.ingest.exports import EXPORT_READERS
from tending.ingest.fileimport import import_file
from tending.ingest.formats import Parsed, readers

FIX = Path(__file__).parent / "fixtures" / "exports"


def _read(fmt: str, path: Path) -> tuple[list[Parsed], list[Parsed]]:
    parsed = list(EXPORT_READERS[fmt](path))
    return [p for p in parsed if p.item is not None], [p for p in parsed if p.error]


def test_every_export_is_a_known_import_format() -> None:
    assert set(EXPORT_READERS) == {
        "x-archive",
        "facebook-export",
        "instagram-export",
        "youtube-takeout",
        "linkedin-export",
        "mastodon-outbox",
        "reddit-export",
    }
    assert set(EXPORT_READERS) <= set(readers())


@pytest.mark.parametrize("path", [FIX / "x_archive", FIX / "x_archive" / "data" / "tweets.js"])
def test_x_archive_from_folder_or_file(path: Path) -> None:
    good, bad = _read("x-archive", path)
    assert [p.position for p in good] == [1, 2, 4]
    post, reply, french = (p.item for p in good)
    assert post is not None and reply is not None and french is not None
    assert (post.kind, post.direction, post.external_id) == ("post", "outbound", "1765000000000000001")
    assert post.created_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert post.url == "https://x.com/lumencoffee/status/1765000000000000001"
    assert post.author is not None and post.author.handle == "lumencoffee"
    assert (reply.kind, reply.parent_external_id) == ("reply", "1765000000000000099")
    assert french.language == "fr" and french.text == "Merci à tous !"
    assert len(bad) == 1 and bad[0].position == 3
    assert bad[0].error is not None and "record 3" in bad[0].error and "tweet.created_at" in bad[0].error


def test_older_x_archive_names_and_parts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    source = (FIX / "x_archive" / "data" / "tweets.js").read_text()
    (data / "tweet.js").write_text(source.replace("window.YTD.tweets.", "window.YTD.tweet."))
    (data / "tweet-part1.js").write_text(
        source.replace("part0", "part1").replace("17650000000000000", "17650000000000001")
    )
    good, bad = _read("x-archive", tmp_path)
    assert len(good) == 6 and [p.position for p in bad] == [3, 7]
    assert good[0].item is not None and good[0].item.url == "https://x.com/i/web/status/1765000000000000001"


def test_x_archive_folder_without_tweets(tmp_path: Path) -> None:
    (only,) = EXPORT_READERS["x-archive"](tmp_path)
    assert only.error is not None and "no data/tweets.js" in only.error


def test_x_archive_that_is_not_javascript_assignment(tmp_path: Path) -> None:
    broken = tmp_path / "tweets.js"
    broken.write_text('[{"tweet": {}}]')
    (only,) = EXPORT_READERS["x-archive"](broken)
    assert only.item is None and only.error is not None and "window.YTD" in only.error


def test_facebook_comments_repairs_text_and_reports_the_broken_record() -> None:
    good, bad = _read("facebook-export", FIX / "facebook_comments.json")
    assert [p.position for p in good] == [1, 3]
    first = good[0].item
    assert first is not None
    assert first.text == "Merci à tous pour vos messages — café offert samedi !"
    assert (first.kind, first.direction) == ("comment", "outbound")
    assert first.created_at == datetime.fromtimestamp(1709632800, UTC)
    assert first.external_id.startswith("fb-export:")
    again = list(EXPORT_READERS["facebook-export"](FIX / "facebook_comments.json"))
    assert again[0].item is not None and again[0].item.external_id == first.external_id
    assert (
        bad[0].position == 2
        and "comment 2" in (bad[0].error or "")
        and "data[].comment" in (bad[0].error or "")
    )


def test_instagram_comments_with_string_map_data() -> None:
    good, bad = _read("instagram-export", FIX / "instagram_comments.json")
    assert [p.position for p in good] == [1, 3]
    first = good[0].item
    assert first is not None and first.text == "Thank you \U0001f64f see you Saturday"
    assert first.direction == "outbound"
    assert bad[0].position == 2 and "string_map_data.Time" in (bad[0].error or "")


def test_youtube_takeout_comments_and_replies() -> None:
    good, bad = _read("youtube-takeout", FIX / "youtube_comments.csv")
    assert [p.position for p in good] == [2, 3]
    top, answer = (p.item for p in good)
    assert top is not None and answer is not None
    assert top.text == "Thanks for watching! Grind notes in the description."
    assert (top.kind, top.thread_external_id, top.parent_external_id) == (
        "comment",
        "dQw4w9WgXcQ",
        "dQw4w9WgXcQ",
    )
    assert top.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgxAAA111"
    assert (answer.kind, answer.parent_external_id, answer.direction) == ("reply", "UgxAAA111", "outbound")
    assert [(p.position, p.error) for p in bad] == [
        (4, "line 4: Comment Create Timestamp: not a time: 'not a date'"),
        (5, "line 5: Comment Text: broken JSON fragments"),
    ]


def test_linkedin_comments_csv() -> None:
    good, bad = _read("linkedin-export", FIX / "linkedin_comments.csv")
    assert [p.position for p in good] == [2, 4]
    first, second = (p.item for p in good)
    assert first is not None and second is not None
    assert first.external_id == "urn:li:comment:(activity:7171000000000000001,7171000000000000500)"
    assert first.thread_external_id == "urn:li:activity:7171000000000000001"
    assert first.created_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert second.text == 'We are hiring roasters, "real" coffee people.'
    assert second.external_id.startswith("li-export:")
    assert bad[0].position == 3 and "Date" in (bad[0].error or "")


def test_linkedin_file_without_the_expected_header(tmp_path: Path) -> None:
    other = tmp_path / "Comments.csv"
    other.write_text("When,Text\n2024-01-01,hi\n")
    (only,) = EXPORT_READERS["linkedin-export"](other)
    assert only.error == "line 1: header lacks the column(s) Date, Link, Message"


def test_mastodon_outbox_posts_direct_messages_and_skipped_boosts() -> None:
    good, bad = _read("mastodon-outbox", FIX / "mastodon_outbox.json")
    assert [p.position for p in good] == [1, 4]
    post, direct = (p.item for p in good)
    assert post is not None and direct is not None
    assert (post.external_id, post.kind, post.direction) == ("111000000000000901", "post", "outbound")
    assert post.text == "Spring roast is here." and post.language == "en"
    assert post.author is not None and post.author.handle == "lumen"
    assert (direct.kind, direct.parent_external_id) == ("direct", "111000000000000203")
    assert direct.text == "@bob address updated."
    assert direct.created_at == datetime(2024, 3, 7, 12, tzinfo=UTC)
    assert [(p.position, p.error) for p in bad] == [(3, "activity 3: object.content: missing")]


def test_mastodon_outbox_from_the_archive_folder(tmp_path: Path) -> None:
    (tmp_path / "outbox.json").write_bytes((FIX / "mastodon_outbox.json").read_bytes())
    assert len([p for p in EXPORT_READERS["mastodon-outbox"](tmp_path) if p.item]) == 2


def test_reddit_export_comments_become_fullnames() -> None:
    good, bad = _read("reddit-export", FIX / "reddit_comments.csv")
    assert [p.position for p in good] == [2, 3]
    reply, comment = (p.item for p in good)
    assert reply is not None and comment is not None
    assert (reply.external_id, reply.kind, reply.parent_external_id) == ("t1_kq3ccc9", "reply", "t1_kq1aaa1")
    assert reply.thread_external_id == "t3_1b7post" and reply.direction == "outbound"
    assert reply.created_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert (comment.kind, comment.parent_external_id) == ("comment", "t3_1b8other")
    assert [p.position for p in bad] == [4, 5]
    assert "id" in (bad[0].error or "") and "date" in (bad[1].error or "")


def test_reddit_export_posts_csv(tmp_path: Path) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text(
        "id,permalink,date,ip,subreddit,gildings,title,url,body\n"
        "1b7post,https://www.reddit.com/r/LumenCoffee/comments/1b7post/x/,"
        "2024-03-05 09:00:00 UTC,,LumenCoffee,0,"
        "Spring roast is here,,Cherry and cocoa\n"
    )
    (only,) = EXPORT_READERS["reddit-export"](posts)
    assert only.item is not None
    assert (only.item.external_id, only.item.kind) == ("t3_1b7post", "post")
    assert only.item.text == "Spring roast is here\n\nCherry and cocoa"


def test_broken_json_file_is_one_error_not_a_crash(tmp_path: Path) -> None:
    for fmt in ("facebook-export", "instagram-export", "mastodon-outbox"):
        broken = tmp_path / f"{fmt}.json"
        broken.write_text('{"comments_v2": [')
        (only,) = EXPORT_READERS[fmt](broken)
        assert only.item is None and "not valid JSON" in (only.error or "")


def test_an_export_imports_into_a_channel_once(factory, world) -> None:  # type: ignore[no-untyped-def]
    path = FIX / "reddit_comments.csv"
    first = import_file(factory, channel_id=world.channel.id, path=path, fmt="reddit-export")
    assert (first.new, first.error_count) == (2, 2)
    assert any("line 4" in e and "id" in e for e in first.errors)
    second = import_file(factory, channel_id=world.channel.id, path=path, fmt="reddit-export")
    assert second.new == 0


def test_import_of_an_archive_folder_is_idempotent(factory, world) -> None:
    from pathlib import Path

    from tending.ingest.fileimport import import_file

    folder = Path(__file__).parent / "fixtures" / "exports" / "x_archive"
    first = import_file(factory, channel_id=world.channel.id, path=folder, fmt="x-archive")
    again = import_file(factory, channel_id=world.channel.id, path=folder, fmt="x-archive")
    assert first.new > 0 and again.already_done
