"""Instagram publishing checks: the 24-hour quota first, then the container's status_code."""

from __future__ import annotations

import pytest
import respx
from graph_helpers import GRAPH, client_for, load, query, router

from tending.connectors.bases import ConnectorError, MalformedResponse, RateLimited
from tending.connectors.instagram import InstagramConnector
from tending.connectors.instagram.media import wait_until_ready

ACCOUNT = "17841400000009999"
IMAGE = ["https://cdn.example/a.jpg"]


def _ig(mock: respx.Router) -> InstagramConnector:
    return InstagramConnector(
        config={"ig_user_id": ACCOUNT}, credentials={"access_token": "EAAB-token"}, http=client_for(mock)
    )


def test_a_used_quota_stops_before_any_container_is_made() -> None:
    mock = respx.Router(base_url=GRAPH, assert_all_called=False)
    limit = mock.get(f"/{ACCOUNT}/content_publishing_limit").respond(
        json=load("instagram", "content_publishing_limit_used.json")
    )
    containers = mock.post(f"/{ACCOUNT}/media").respond(json={"id": "c1"})
    with pytest.raises(RateLimited, match="50 of its 50 posts allowed per 24 hours") as caught:
        _ig(mock).publish(text="New beans", idempotency_key="k", media_urls=IMAGE)
    assert caught.value.retry_after == 3600
    assert query(limit.calls[0].request)["fields"] == "config,quota_usage"
    assert not containers.called


def test_publish_waits_for_a_finished_container() -> None:
    mock = router()
    mock.get(f"/{ACCOUNT}/content_publishing_limit").respond(
        json=load("instagram", "content_publishing_limit.json")
    )
    mock.post(f"/{ACCOUNT}/media").respond(json={"id": "17889455560051444"})
    status = mock.get("/17889455560051444").respond(
        json={"status_code": "FINISHED", "id": "17889455560051444"}
    )
    published = mock.post(f"/{ACCOUNT}/media_publish").respond(json={"id": "17920238422030506"})
    sent = _ig(mock).publish(text="New beans", idempotency_key="k", media_urls=IMAGE)
    assert sent.external_id == "17920238422030506"
    assert query(status.calls[0].request)["fields"] == "status_code,status"
    assert published.call_count == 1


def test_a_failed_container_is_never_published() -> None:
    mock = respx.Router(base_url=GRAPH, assert_all_called=False)
    mock.get(f"/{ACCOUNT}/content_publishing_limit").respond(
        json=load("instagram", "content_publishing_limit.json")
    )
    mock.post(f"/{ACCOUNT}/media").respond(json={"id": "17889455560051444"})
    mock.get("/17889455560051444").respond(
        json={"status_code": "ERROR", "status": "Error: 2207026", "id": "17889455560051444"}
    )
    published = mock.post(f"/{ACCOUNT}/media_publish").respond(json={"id": "x"})
    with pytest.raises(ConnectorError, match=r"container ERROR \(Error: 2207026\)") as caught:
        _ig(mock).publish(text="New beans", idempotency_key="k", media_urls=IMAGE)
    assert not caught.value.retryable and not published.called


def test_in_progress_is_asked_again_then_retried_later() -> None:
    mock = router()
    status = mock.get("/c9")
    status.side_effect = [
        respx.MockResponse(json={"status_code": "IN_PROGRESS"}),
        respx.MockResponse(json={"status_code": "FINISHED"}),
    ]
    naps: list[float] = []
    wait_until_ready(_ig(mock).graph, "c9", sleep=naps.append)
    assert status.call_count == 2 and naps == [5.0]

    slow = router()
    slow.get("/c9").respond(json={"status_code": "IN_PROGRESS"})
    with pytest.raises(RateLimited, match="still processing"):
        wait_until_ready(_ig(slow).graph, "c9", checks=3, sleep=naps.append)
    with pytest.raises(MalformedResponse):
        odd = router()
        odd.get("/c9").respond(json={"status_code": "SOMETHING_NEW"})
        wait_until_ready(_ig(odd).graph, "c9", sleep=naps.append)
