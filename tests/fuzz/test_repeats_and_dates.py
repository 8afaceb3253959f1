"""Hand-written fuzzing of what the schema-driven fuzzer does not reach: every create endpoint (API and
dashboard form) sent the same payload twice, and every endpoint or form taking a date sent dates at the
edges of the calendar and beyond. A duplicate is stored again or refused with 409; a bad date is a 4xx;
nothing is ever a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login

pytestmark = pytest.mark.fuzz

EXTREME_DATES = (
    "0001-01-01",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31",
    "9999-12-31T23:59:59+00:00",
    "10000-01-01",
    "-0001-01-01",
    "1969-12-31T23:59:59Z",
    "1900-01-01T00:00:00-12:00",
    "-86400",
    "2026-13-45",
    "2026-02-30T25:61:00",
    "not a date",
)


@dataclass(frozen=True)
class Call:
    """One request: `api` bodies are JSON, dashboard bodies are forms."""

    method: str
    path: str
    json: dict[str, Any] | None = None
    form: dict[str, Any] | None = None
    params: dict[str, str] | None = None

    def send(self, client: TestClient) -> Any:
        return client.request(
            self.method, self.path, json=self.json, data=self.form, params=self.params, follow_redirects=False
        )


@pytest.fixture()
def admin(app, world) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """An admin's session whose server errors come back as 500 answers instead of raising."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield login(c, world.admin.email)


@pytest.fixture()
def ids(admin: TestClient, world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A campaign and a KPI to hang sub-resources on."""
    ws = world.workspace.id
    campaign = admin.post(f"/api/v1/workspaces/{ws}/campaigns", json={"name": "Spring"}).json()
    kpi = admin.post(
        f"/api/v1/workspaces/{ws}/campaigns/{campaign['id']}/kpis",
        json={"name": "Reach", "metric": "mentions", "target": 10, "horizon_days": 30},
    ).json()
    post = admin.post(
        f"/api/v1/workspaces/{ws}/posts", json={"channel_id": world.channel.id, "text": "Draft"}
    )
    return {
        "ws": ws,
        "slug": world.workspace.slug,
        "campaign": campaign["id"],
        "kpi": kpi["id"],
        "post": post.json()["id"],
    }


def create_calls(ids: dict[str, Any], channel_id: int) -> list[Call]:
    ws, slug, cid = f"/api/v1/workspaces/{ids['ws']}", f"/w/{ids['slug']}", ids["campaign"]
    return [
        Call("POST", f"{ws}/campaigns", json={"name": "Twice", "channel_ids": [channel_id]}),
        Call("POST", f"{ws}/campaigns/{cid}/kpis", json={"name": "Twice", "metric": "mentions", "target": 3}),
        Call("POST", f"{ws}/campaigns/{cid}/kpis/{ids['kpi']}/values", json={"at": "2026-03-01", "value": 2}),
        Call("POST", f"{ws}/campaigns/{cid}/scenarios", json={"title": "Twice", "what_happens": "x"}),
        Call(
            "POST",
            f"{ws}/channels",
            json={"network": "fake", "name": "Twice", "external_id": "twice", "config": {}},
        ),
        Call("POST", f"{ws}/alert-destinations", json={"kind": "email", "target": "desk@example.com"}),
        Call("POST", f"{ws}/posts", json={"channel_id": channel_id, "text": "Twice"}),
        Call("POST", f"{ws}/prepared-answers", json={"title": "Twice", "body": "Hello"}),
        Call("POST", f"{ws}/routing-rules", json={"name": "Twice", "target_expertise": "billing"}),
        Call("POST", f"{ws}/saved-views", json={"name": "Twice", "filters": {"status": "open"}}),
        Call("POST", f"{ws}/sla-policies", json={"name": "Twice", "first_response_hours": 2}),
        Call("POST", f"{ws}/tokens", json={"name": "Twice"}),
        Call("POST", f"{ws}/backlash-risk", json={"text": "Twice"}),
        Call("POST", f"{ws}/replies/check", json={"text": "Twice"}),
        Call("POST", f"{slug}/campaigns", form={"name": "Twice form", "channel_ids": [channel_id]}),
        Call("POST", f"{slug}/campaigns/{cid}/kpis", form={"name": "Twice", "metric": "mentions"}),
        Call("POST", f"{slug}/campaigns/{cid}/scenarios", form={"title": "Twice", "what_happens": "x"}),
        Call(
            "POST",
            f"{slug}/channels",
            form={"network": "fake", "name": "Twice form", "external_id": "twice-form", "config": "{}"},
        ),
        Call("POST", f"{slug}/settings/alerts", form={"kind": "email", "target": "desk2@example.com"}),
        Call("POST", f"{slug}/settings/answers", form={"title": "Twice form", "body": "Hello"}),
        Call("POST", f"{slug}/settings/routing", form={"name": "Twice form", "target_expertise": "billing"}),
        Call("POST", f"{slug}/settings/sla", form={"name": "Twice form", "first_response_hours": "2"}),
        Call("POST", f"{slug}/inbox/views", form={"name": "Twice form", "status": "open"}),
        Call("POST", f"{slug}/calendar/posts", form={"channel_id": str(channel_id), "text": "Twice form"}),
    ]


def test_every_create_sent_twice_is_stored_or_refused_as_a_conflict(admin: TestClient, ids, world) -> None:  # type: ignore[no-untyped-def]
    failures: list[str] = []
    for call in create_calls(ids, world.channel.id):
        first, second = call.send(admin), call.send(admin)
        if not (first.status_code < 300 or first.status_code == 303):
            failures.append(f"{call.method} {call.path} first: {first.status_code} {first.text[:200]}")
        if not (second.status_code < 400 or second.status_code == 409):
            failures.append(f"{call.method} {call.path} again: {second.status_code} {second.text[:200]}")
    assert not failures, "\n".join(failures)


def date_calls(ids: dict[str, Any], channel_id: int) -> list[Callable[[str], Call]]:
    """Every endpoint and form taking a date, as a function of the date sent."""
    ws, slug, cid = f"/api/v1/workspaces/{ids['ws']}", f"/w/{ids['slug']}", ids["campaign"]
    return [
        lambda d: Call("POST", f"{ws}/campaigns", json={"name": "Dated", "starts_at": d, "ends_at": d}),
        lambda d: Call("POST", f"{ws}/campaigns/{cid}/kpis/{ids['kpi']}/values", json={"at": d, "value": 1}),
        lambda d: Call(
            "POST", f"{ws}/posts", json={"channel_id": channel_id, "text": "x", "scheduled_at": d}
        ),
        lambda d: Call("PATCH", f"{ws}/posts/{ids['post']}", json={"scheduled_at": d}),
        lambda d: Call("GET", f"{ws}/posts", params={"start": d, "end": d}),
        lambda d: Call("GET", f"{ws}/posts", params={"start": "2026-01-01", "end": d}),
        lambda d: Call("GET", f"{ws}/channel-health", params={"at": d}),
        lambda d: Call("GET", f"{ws}/moderation/report", params={"since": d}),
        lambda d: Call("GET", f"{ws}/moderation/report", params={"until": d}),
        lambda d: Call("GET", f"{ws}/responses", params={"since": d}),
        lambda d: Call("GET", f"{ws}/responses", params={"until": d}),
        lambda d: Call("GET", f"{ws}/exports/messages.csv", params={"since": d}),
        lambda d: Call("GET", f"{ws}/exports/messages.csv", params={"until": d}),
        lambda d: Call("GET", f"{slug}/reports/responses", params={"since": d}),
        lambda d: Call("GET", f"{slug}/reports/responses", params={"until": d}),
        lambda d: Call("GET", f"{slug}/reports/responses.json", params={"since": d, "until": d}),
        lambda d: Call("GET", f"{slug}/reports/responses/tables/response_times.csv", params={"since": d}),
        lambda d: Call("GET", f"{slug}/calendar", params={"day": d}),
        lambda d: Call("POST", f"{slug}/campaigns", form={"name": "Dated form", "ends_at": d}),
        lambda d: Call(
            "POST",
            f"{slug}/calendar/posts",
            form={"channel_id": str(channel_id), "text": "x", "scheduled_at": d},
        ),
    ]


def test_extreme_and_malformed_dates_never_answer_500(admin: TestClient, ids, world) -> None:  # type: ignore[no-untyped-def]
    failures: list[str] = []
    for make in date_calls(ids, world.channel.id):
        for day in EXTREME_DATES:
            call = make(day)
            r = call.send(admin)
            if r.status_code >= 500:
                failures.append(f"{call.method} {call.path} {day!r}: {r.status_code} {r.text[:160]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "query", ["since=0001-01-01", "until=9999-12-31", "since=10000-01-01", "until=2026-02-30"]
)
def test_a_report_page_with_a_date_out_of_range_is_an_error_page(
    admin: TestClient, world, query: str
) -> None:  # type: ignore[no-untyped-def]
    r = admin.get(f"/w/{world.workspace.slug}/reports/responses?{query}")
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")
    assert 'data-testid="report-error"' in r.text and query.split("=")[0] in r.text


@pytest.mark.parametrize("ends_at", ["2026-13-45", "not a date", "10000-01-01", "0001-01-01"])
def test_the_campaign_form_refuses_a_bad_end_date_with_400(admin: TestClient, world, ends_at: str) -> None:  # type: ignore[no-untyped-def]
    r = admin.post(
        f"/w/{world.workspace.slug}/campaigns",
        data={"name": "Dated", "ends_at": ends_at},
        follow_redirects=False,
    )
    assert r.status_code == 400 and "ends_at" in r.text
    assert admin.get(f"/api/v1/workspaces/{world.workspace.id}/campaigns").json() == []
