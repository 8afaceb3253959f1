from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tending.connectors.bases import (
    ApiVersionRefused,
    AuthExpired,
    MalformedResponse,
    RateLimited,
    UpstreamError,
)
from tending.connectors.linkedin import LinkedInConnector
from tending.connectors.linkedin.connector import escape_little_text

FIX = Path(__file__).parent / "fixtures" / "linkedin"
REST = "https://api.linkedin.com/rest"
TOKEN = "AQV-linkedin-SECRET"
ORG = "urn:li:organization:2414183"
S1 = "urn%3Ali%3Ashare%3A7170000000000000001"
U2 = "urn%3Ali%3AugcPost%3A7169000000000000002"
C1 = "urn:li:comment:(urn:li:activity:7170000000000000111,7170000000000000501)"
C2 = "urn:li:comment:(urn:li:activity:7170000000000000111,7170000000000000502)"


def _load(name: str) -> Any:
    return json.loads((FIX / name).read_text())


def _router() -> respx.Router:
    return respx.Router(base_url=REST, assert_all_called=True)


def _li(mock: respx.Router, **config: object) -> LinkedInConnector:
    return LinkedInConnector(
        config={"organization_id": "2414183", **config},
        credentials={"access_token": TOKEN},
        http=httpx.Client(transport=httpx.MockTransport(mock.handler)),
    )


def _ids(result: Any) -> list[str]:
    return [it.external_id for it in result.items]


def _listen_routes(mock: respx.Router) -> dict[str, respx.Route]:
    return {
        "posts": mock.get("/posts").respond(json=_load("posts.json")),
        "actions": mock.get("/socialActions").respond(json=_load("social_actions_1.json")),
        "share_p2": mock.get(f"/socialActions/{S1}/comments", params={"start": "2"}).respond(
            json=_load("comments_share_p2.json")
        ),
        "share_p1": mock.get(f"/socialActions/{S1}/comments").respond(json=_load("comments_share_p1.json")),
        "replies": mock.get(
            "/socialActions/urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A7170000000000000111%2C7170000000000000501%29/comments"
        ).respond(json=_load("replies_c1.json")),
        "ugc": mock.get(f"/socialActions/{U2}/comments").respond(json=_load("comments_empty.json")),
        "people": mock.get("/people").respond(json=_load("people.json")),
    }


def test_comments_page_by_offset_resume_and_only_changed_posts_are_reread() -> None:
    mock = _router()
    routes = _listen_routes(mock)
    li = _li(mock, start="beginning", comments_page_size=2, max_comment_pages=1)

    one = li.fetch_since({})
    assert _ids(one) == [C1, "urn:li:comment:(urn:li:activity:7170000000000000111,7170000000000000505)", C2]
    first, ours, second = one.items
    assert first.kind == "comment" and first.thread_external_id == "urn:li:share:7170000000000000001"
    assert first.parent_external_id == "urn:li:share:7170000000000000001"
    assert first.text == "Congrats on the new roastery! Hiring baristas?"
    assert first.created_at == datetime(2024, 3, 5, 9, tzinfo=UTC)
    assert first.author is not None
    assert (first.author.external_id, first.author.handle, first.author.name) == (
        "urn:li:person:aB3dE5fG7h",
        "amelie-roux",
        "Amélie Roux",
    )
    assert first.author.bio == "Head of Ops at Café Nord" and first.author.avatar_is_default is False
    assert second.author is not None and second.author.avatar_is_default is True
    assert ours.kind == "reply" and ours.direction == "outbound" and ours.parent_external_id == C1
    assert first.url == (
        "https://www.linkedin.com/feed/update/urn:li:share:7170000000000000001?commentUrn="
        "urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A7170000000000000111%2C7170000000000000501%29"
    )
    assert one.has_more is True  # the share has a third comment on the next offset
    request = routes["posts"].calls.last.request
    assert request.headers["LinkedIn-Version"] == "202607"  # the install default, a live version
    assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.url.raw_path.decode() == (
        "/rest/posts?q=author&author=urn%3Ali%3Aorganization%3A2414183&count=20&sortBy=LAST_MODIFIED"
    )
    assert (
        routes["actions"].calls.last.request.url.raw_path.decode()
        == f"/rest/socialActions?ids=List({S1},{U2})"
    )
    people = routes["people"].calls.last.request.url.raw_path.decode()
    assert people == "/rest/people?ids=List((id:Zy9Xw8Vu7t),(id:aB3dE5fG7h))"

    two = li.fetch_since(one.cursor)
    assert _ids(two) == ["urn:li:comment:(urn:li:activity:7170000000000000111,7170000000000000503)"]
    assert two.has_more is False and routes["share_p2"].call_count == 1
    assert dict(routes["share_p2"].calls.last.request.url.params) == {"start": "2", "count": "2"}

    routes["actions"].respond(json=_load("social_actions_2.json"))
    routes["ugc"].respond(json=_load("comments_ugc.json"))
    three = li.fetch_since(two.cursor)
    assert _ids(three) == ["urn:li:comment:(urn:li:activity:7169000000000000222,7169000000000000601)"]
    assert routes["share_p1"].call_count == 1  # the share's count did not move: not read again


def test_people_lookup_refused_leaves_authors_unnamed() -> None:
    mock = _router()
    mock.get("/posts").respond(json=_load("posts.json"))
    mock.get("/socialActions").respond(json=_load("social_actions_2.json"))
    mock.get(f"/socialActions/{S1}/comments").respond(json=_load("comments_empty.json"))
    mock.get(f"/socialActions/{U2}/comments").respond(json=_load("comments_ugc.json"))
    mock.get("/people").respond(403, json=_load("error_403_people.json"))
    result = _li(mock).fetch_since({})
    assert result.items[0].author is not None
    assert (
        result.items[0].author.external_id == "urn:li:person:Zy9Xw8Vu7t" and result.items[0].author.name == ""
    )


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (401, "error_401.json", {}, AuthExpired),
        (429, "error_429.json", {"Retry-After": "3600"}, RateLimited),
        (500, "error_500.json", {}, UpstreamError),
        (426, "error_426.json", {}, ApiVersionRefused),
    ],
)
def test_errors(status: int, body: str, headers: dict[str, str], error: type[Exception]) -> None:
    mock = _router()
    mock.get("/posts").respond(status, json=_load(body), headers=headers)
    li = _li(mock)
    with pytest.raises(error) as caught:
        li.fetch_since({})
    assert TOKEN not in str(caught.value) and TOKEN not in repr(li) and TOKEN not in repr(li.api)
    if status == 429:
        assert caught.value.retry_after == 3600.0  # type: ignore[attr-defined]
    if status == 426:
        assert "set TENDING_LINKEDIN_API_VERSION to a live version" in str(caught.value)
        assert caught.value.setting == "TENDING_LINKEDIN_API_VERSION"  # type: ignore[attr-defined]
        assert caught.value.retryable is False  # type: ignore[attr-defined]


def test_a_channel_pinned_to_a_retired_version_names_its_own_setting() -> None:
    mock = _router()
    mock.get("/posts").respond(426, json=_load("error_426.json"))
    li = _li(mock, api_version="202410")
    with pytest.raises(ApiVersionRefused) as caught:
        li.fetch_since({})
    assert "LinkedIn-Version 202410" in str(caught.value) and "the channel's api_version" in str(caught.value)
    assert mock.calls.last.request.headers["LinkedIn-Version"] == "202410"


def test_daily_limit_without_retry_after_waits_until_utc_midnight() -> None:
    mock = _router()
    mock.get("/posts").respond(429, json=_load("error_429.json"))
    with pytest.raises(RateLimited) as caught:
        _li(mock).fetch_since({})
    assert 60 <= caught.value.retry_after <= 86400


@pytest.mark.parametrize("content", [b"<html>oops</html>", b'{"elements": {"a": 1}}'])
def test_malformed(content: bytes) -> None:
    mock = _router()
    mock.get("/posts").respond(200, content=content)
    with pytest.raises(MalformedResponse):
        _li(mock).fetch_since({})


def test_reply_to_a_comment_is_a_nested_comment_by_the_organisation() -> None:
    mock = _router()
    route = mock.post(
        "/socialActions/urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A7170000000000000111%2C7170000000000000502%29/comments"
    ).respond(201, json=_load("created_reply.json"))
    sent = _li(mock).reply(parent_external_id=C2, text="We ship to Belgium from April.")
    assert sent.external_id == "urn:li:comment:(urn:li:activity:7170000000000000111,7170000000000000509)"
    assert sent.created_at == datetime(2024, 3, 6, 9, tzinfo=UTC)
    request = route.calls.last.request
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "actor": ORG,
        "object": "urn:li:activity:7170000000000000111",
        "message": {"text": "We ship to Belgium from April."},
        "parentComment": C2,
    }


def test_reply_to_a_post_is_a_top_level_comment_with_id_from_header() -> None:
    mock = _router()
    route = mock.post(f"/socialActions/{U2}/comments").respond(
        201, headers={"x-restli-id": "7169000000000000700"}
    )
    sent = _li(mock).reply(parent_external_id="urn:li:ugcPost:7169000000000000002", text="Yes, recorded.")
    assert json.loads(route.calls.last.request.content) == {
        "actor": ORG,
        "object": "urn:li:ugcPost:7169000000000000002",
        "message": {"text": "Yes, recorded."},
    }
    assert sent.external_id == "urn:li:comment:(urn:li:ugcPost:7169000000000000002,7169000000000000700)"


def test_publish_posts_escaped_commentary_and_reads_the_id_header() -> None:
    mock = _router()
    route = mock.post("/posts").respond(201, headers={"x-restli-id": "urn:li:share:7171000000000000001"})
    sent = _li(mock).publish(text="New (limited) blend #spring @Lyon", idempotency_key="k")
    assert sent.external_id == "urn:li:share:7171000000000000001"
    assert sent.url == "https://www.linkedin.com/feed/update/urn:li:share:7171000000000000001"
    assert json.loads(route.calls.last.request.content) == {
        "author": ORG,
        "commentary": "New \\(limited\\) blend \\#spring \\@Lyon",
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def test_little_text_escaping_keeps_plain_text() -> None:
    assert escape_little_text("plain words, 100% fine!") == "plain words, 100% fine!"
    assert escape_little_text("a_b*c~d") == "a\\_b\\*c\\~d"


def test_metrics_reads_follower_count_gains_and_page_views() -> None:
    mock = _router()
    mock.get("/networkSizes/urn%3Ali%3Aorganization%3A2414183").respond(json=_load("network_size.json"))
    gains = mock.get("/organizationalEntityFollowerStatistics").respond(
        json=_load("follower_statistics.json")
    )
    mock.get("/organizationPageStatistics").respond(json=_load("page_statistics.json"))
    since, until = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 3, tzinfo=UTC)
    points = _li(mock).metrics(since=since, until=until)
    assert [(p.name, p.value) for p in points] == [
        ("followers", 5123),
        ("follower_gains", 6),
        ("follower_gains", 3),
        ("page_views", 120),
        ("page_views", 98),
    ]
    assert points[1].at == datetime(2024, 3, 2, tzinfo=UTC)
    assert gains.calls.last.request.url.raw_path.decode() == (
        "/rest/organizationalEntityFollowerStatistics?q=organizationalEntity"
        "&organizationalEntity=urn%3Ali%3Aorganization%3A2414183"
        "&timeIntervals=(timeRange:(start:1709251200000,end:1709424000000),timeGranularityType:DAY)"
    )


def test_publish_uploads_images_through_the_images_api() -> None:
    mock = _router()
    answers = [_load("image_initialize_upload.json"), _load("image_initialize_upload.json")]
    answers[1] = {"value": {**answers[1]["value"], "image": "urn:li:image:D4E10AQF0000000001"}}
    init = mock.post("/images", params={"action": "initializeUpload"})
    init.side_effect = [httpx.Response(200, json=a) for a in answers]
    uploads = respx.Router(base_url="https://www.linkedin.com", assert_all_called=True)
    put = uploads.put(path__startswith="/dms-uploads/").respond(201)
    post = mock.post("/posts").respond(201, headers={"x-restli-id": "urn:li:share:7171000000000000002"})

    def route(request: httpx.Request) -> httpx.Response:
        return (uploads if request.url.host == "www.linkedin.com" else mock).handler(request)

    connector = LinkedInConnector(
        config={"organization_id": "2414183"},
        credentials={"access_token": TOKEN},
        http=httpx.Client(transport=httpx.MockTransport(route)),
    )
    with respx.mock() as cdn:
        for name in ("a", "b"):
            cdn.get(f"https://cdn.lumen.example/{name}.jpg").respond(
                200, content=f"jpeg {name}".encode(), headers={"content-type": "image/jpeg"}
            )
        connector.publish(
            text="Two roasts",
            idempotency_key="k",
            media_urls=["https://cdn.lumen.example/a.jpg", "https://cdn.lumen.example/b.jpg"],
        )
    assert json.loads(init.calls[0].request.content) == {"initializeUploadRequest": {"owner": ORG}}
    assert init.calls[0].request.headers["LinkedIn-Version"]
    assert [c.request.content for c in put.calls] == [b"jpeg a", b"jpeg b"]
    assert put.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    body = json.loads(post.calls[0].request.content)
    assert body["commentary"] == "Two roasts"  # the images are attached, not linked
    assert body["content"] == {
        "multiImage": {
            "images": [
                {"id": "urn:li:image:D4E10AQF0000000000", "altText": ""},
                {"id": "urn:li:image:D4E10AQF0000000001", "altText": ""},
            ]
        }
    }
