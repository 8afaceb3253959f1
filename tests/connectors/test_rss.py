from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx

from tending.connectors.bases import AuthExpired, MalformedResponse, RateLimited, UpstreamError
from tending.connectors.rss import RssConnector

FIX = Path(__file__).parent / "fixtures" / "rss"
POSTS = "https://blog.lumen.example/feed/"
COMMENTS = "https://blog.lumen.example/comments/feed/"
ATOM = "https://blog.lumen.example/comments/feed/atom/"


def _xml(name: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        200, content=(FIX / name).read_bytes(), headers={"Content-Type": "application/rss+xml", **headers}
    )


def _connector(**extra: object) -> RssConnector:
    return RssConnector(config={"feed_url": POSTS, "comments_feed_url": COMMENTS, **extra})


@respx.mock
def test_reads_posts_as_outbound_and_comments_threaded_on_their_post() -> None:
    respx.get(POSTS).mock(return_value=_xml("posts.xml", ETag='"p1"'))
    respx.get(COMMENTS).mock(
        return_value=_xml("comments.xml", **{"Last-Modified": "Wed, 06 Mar 2024 12:10:00 GMT"})
    )
    result = _connector().fetch_since({})
    ids = [it.external_id for it in result.items]
    assert ids == [
        "https://blog.lumen.example/?p=37",
        "https://blog.lumen.example/?p=42",
        "https://blog.lumen.example/?p=42#comment-117",
        "https://blog.lumen.example/?p=42#comment-118",
    ]
    post = result.items[1]
    assert (post.kind, post.direction, post.language) == ("post", "outbound", "en")
    assert post.text.startswith("Spring roast is here\n\nOur spring roast is out.")
    assert "cherry & cocoa" in post.text
    comment = result.items[3]
    assert (comment.kind, comment.direction) == ("comment", "inbound")
    assert comment.thread_external_id == "https://blog.lumen.example/?p=42"
    assert comment.parent_external_id == "https://blog.lumen.example/?p=42"
    assert comment.text == "Is it available in whole beans?"
    assert comment.author is not None and comment.author.name == "Priya"
    assert comment.url == "https://blog.lumen.example/2024/03/spring-roast/#comment-118"
    assert '"Is it available' in (comment.raw or "")
    assert result.items[2].text == "Lovely \u2013 ordered two bags."
    assert result.has_more is False
    assert result.cursor["feeds"][POSTS]["etag"] == '"p1"'
    assert result.cursor["feeds"][COMMENTS]["modified"] == "Wed, 06 Mar 2024 12:10:00 GMT"


@respx.mock
def test_resume_sends_conditional_get_and_yields_only_new_entries() -> None:
    posts = respx.get(POSTS)
    posts.side_effect = [_xml("posts.xml", ETag='"p1"'), httpx.Response(304)]
    comments = respx.get(COMMENTS)
    comments.side_effect = [_xml("comments.xml", ETag='"c1"'), _xml("comments_atom.xml", ETag='"c2"')]
    conn = _connector()
    first = conn.fetch_since({})
    second = conn.fetch_since(first.cursor)
    assert posts.calls[1].request.headers["If-None-Match"] == '"p1"'
    assert comments.calls[1].request.headers["If-None-Match"] == '"c1"'
    # comment-118 appears again in the Atom feed but was delivered already: only the new reply comes.
    assert [it.external_id for it in second.items] == ["https://blog.lumen.example/?p=42#comment-120"]
    reply = second.items[0]
    assert reply.kind == "reply"
    assert reply.parent_external_id == "https://blog.lumen.example/?p=42#comment-118"
    assert reply.thread_external_id == "https://blog.lumen.example/?p=42"
    assert reply.author is not None and reply.author.external_id == "https://lumen.example"
    assert second.cursor["feeds"][POSTS]["etag"] == '"p1"'  # the 304 kept the old state
    assert second.cursor["feeds"][COMMENTS]["etag"] == '"c2"'
    third_posts = respx.get(POSTS).mock(return_value=httpx.Response(304))
    respx.get(COMMENTS).mock(return_value=_xml("comments_atom.xml", ETag='"c2"'))
    assert conn.fetch_since(second.cursor).items == []
    assert third_posts.called


@respx.mock
def test_broken_xml_is_malformed_and_names_the_url() -> None:
    respx.get(POSTS).mock(return_value=_xml("broken.xml"))
    with pytest.raises(MalformedResponse, match=r"blog\.lumen\.example/feed/ is not a readable feed"):
        _connector(comments_feed_url=None).fetch_since({})


@respx.mock
def test_html_page_instead_of_feed_is_malformed() -> None:
    respx.get(POSTS).mock(
        return_value=httpx.Response(
            200, content=(FIX / "not_a_feed.html").read_bytes(), headers={"Content-Type": "text/html"}
        )
    )
    with pytest.raises(MalformedResponse, match="HTML page, not an RSS/Atom feed"):
        _connector().fetch_since({})


@respx.mock
def test_http_errors_map_to_connector_errors() -> None:
    route = respx.get(POSTS)
    conn = RssConnector(config={"feed_url": POSTS}, credentials={"username": "u", "password": "s3cret-pw"})
    route.mock(return_value=httpx.Response(401))
    with pytest.raises(AuthExpired) as auth:
        conn.fetch_since({})
    assert "s3cret-pw" not in str(auth.value) and "s3cret-pw" not in repr(conn)
    route.mock(return_value=httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(RateLimited) as limited:
        conn.fetch_since({})
    assert limited.value.retry_after == 120
    route.mock(return_value=httpx.Response(503))
    with pytest.raises(UpstreamError) as upstream:
        conn.fetch_since({})
    assert upstream.value.status == 503
    route.mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(UpstreamError):
        conn.fetch_since({})


@respx.mock
def test_a_feed_served_as_text_html_is_still_read() -> None:
    respx.get(POSTS).mock(
        return_value=httpx.Response(
            200,
            content=(FIX / "posts.xml").read_bytes(),
            headers={"Content-Type": "text/html; charset=UTF-8"},
        )
    )
    result = RssConnector(config={"feed_url": POSTS}).fetch_since({})
    assert len(result.items) == 2


@respx.mock
def test_valid_xml_that_is_not_a_feed_is_malformed() -> None:
    respx.get(POSTS).mock(
        return_value=httpx.Response(
            200,
            content=b"<?xml version='1.0'?><sitemap><url/></sitemap>",
            headers={"Content-Type": "application/xml"},
        )
    )
    with pytest.raises(MalformedResponse, match="not an RSS or Atom document"):
        RssConnector(config={"feed_url": POSTS}).fetch_since({})
