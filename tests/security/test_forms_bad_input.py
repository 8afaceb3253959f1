"""Every dashboard form and every API write route, enumerated from the app, answers bad input with a
clear refusal: never a 500, and a page in the layout (never raw JSON) for a form. Each is sent missing
fields, wrong types, empty values, malformed dates, ids of another workspace, out-of-range numbers and
huge strings."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import login
from tests.security.conftest import fill
from tests.security.routes import route_objects

from tending.auth.models import User
from tending.campaign import service as campaigns
from tending.campaign.models import CampaignCreate, KpiCreate, MetricKind
from tending.publishing import service as publishing
from tending.publishing.models import PostCreate

SKIP = {"/logout", "/login"}
API_SKIP = {"/api/v1/auth/logout", "/api/v1/auth/login"}
HUGE = "x" * 200_000


def _form_fields(dependant: Any) -> list[tuple[str, bool]]:
    """(name, is a list) of each form field the route reads, dependencies included."""
    fields = [(p.name, "list" in str(p.field_info.annotation)) for p in dependant.body_params]
    for sub in dependant.dependencies:
        fields.extend(_form_fields(sub))
    return fields


def _bad_bodies(fields: list[tuple[str, bool]], foreign: int) -> list[dict[str, object]]:
    """Wrong types, empties, another workspace's ids, malformed dates, overflowing numbers."""
    bodies: list[dict[str, object]] = []
    for value in (
        "not a number",
        "",
        str(foreign),
        "2026-13-45T99:99",
        "99999999999999999999999",
        "-1",
        HUGE,
    ):
        bodies.append({name: [value] if is_list else value for name, is_list in fields})
    return bodies


def _seed(factory: sessionmaker[Session], world) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with factory() as s:
        admin = s.get(User, world.admin.id)
        assert admin is not None
        campaign = campaigns.create_campaign(
            s, workspace_id=world.workspace.id, campaign_in=CampaignCreate(name="Spring blend")
        )
        kpi = campaigns.add_kpi(
            s, campaign_id=campaign.id, kpi_in=KpiCreate(name="Mentions", metric=MetricKind.mentions)
        )
        post = publishing.create_draft(
            s,
            workspace_id=world.workspace.id,
            author=admin,
            post_in=PostCreate(
                channel_id=world.channel.id, text="Soon", scheduled_at=datetime.now(UTC) + timedelta(days=2)
            ),
        )
        s.commit()
        return {
            "slug": world.workspace.slug,
            "campaign_id": campaign.id,
            "kpi_id": kpi.id,
            "post_id": post.id,
            "channel_id": world.channel.id,
            "user_id": world.member.id,
            "action": "cancel",
        }


def test_every_dashboard_form_answers_bad_input_with_a_page(app, world, factory) -> None:  # type: ignore[no-untyped-def]
    ids = _seed(factory, world)
    failures = []
    with TestClient(app, raise_server_exceptions=False) as client:
        login(client, "admin@acme.test")
        routes = [
            r
            for r in route_objects(app.routes)
            if "POST" in (r.methods or ()) and not r.path.startswith("/api/")
        ]
        assert len(routes) > 20, "found suspiciously few dashboard forms"
        for route in routes:
            if route.path in SKIP:
                continue
            path = fill(route.path, ids)
            for body in _bad_bodies(_form_fields(route.dependant), world.other_channel.id):
                r = client.post(path, data=body, follow_redirects=False)
                kind = r.headers.get("content-type", "")
                if r.status_code >= 500 or (r.status_code >= 400 and not kind.startswith("text/html")):
                    failures.append(
                        f"POST {route.path} {str(body)[:100]} → {r.status_code} {kind} {r.text[:120]}"
                    )
    assert not failures, "\n".join(failures[:40])


def _json_fields(dependant: Any) -> list[str]:
    """The JSON body's field names: the model's when one model is the body, else each parameter's."""
    params = list(dependant.body_params)
    for sub in dependant.dependencies:
        params.extend(sub.body_params)
    if len(params) == 1 and isinstance(params[0].field_info.annotation, type):
        model = params[0].field_info.annotation
        if issubclass(model, BaseModel) and not params[0].field_info.embed:
            return list(model.model_fields)
    return [p.name for p in params]


def _bad_json(fields: list[str], foreign: dict[str, int]) -> list[object]:
    """Missing fields, wrong types, another workspace's ids, malformed dates, huge strings."""
    bodies: list[object] = [{}, [], "not an object", None]
    for value in ("not a number", "2026-13-45T99:99", 10**30, -1, HUGE, ["a", 1], {"nested": {}}, True):
        bodies.append({name: value for name in fields})
    bodies.append({name: foreign.get(name, foreign["channel_id"]) for name in fields})
    bodies.append({name: [foreign["channel_id"]] for name in fields})
    return bodies


def test_every_api_write_route_answers_bad_input_without_a_500(app, world, factory, hostile) -> None:  # type: ignore[no-untyped-def]
    ids = {**_seed(factory, world), **hostile, "workspace_id": world.workspace.id}
    foreign = {
        "channel_id": world.other_channel.id,
        "channel_ids": world.other_channel.id,
        "workspace_id": world.other_workspace.id,
        "user_id": world.outsider_agency.id,
    }
    failures = []
    statuses: Counter[int] = Counter()
    with TestClient(app, raise_server_exceptions=False) as client:
        login(client, "admin@acme.test")
        csrf = client.get("/api/v1/auth/csrf").json()["csrf_token"]
        routes = [
            r
            for r in route_objects(app.routes)
            if r.path.startswith("/api/") and set(r.methods or ()) & {"POST", "PUT", "PATCH", "DELETE"}
        ]
        assert len(routes) > 20, "found suspiciously few API write routes"
        for route in routes:
            if route.path in API_SKIP:
                continue
            fields = _json_fields(route.dependant)
            paths = [
                fill(route.path, ids),
                fill(route.path, {**ids, "workspace_id": world.other_workspace.id}),
            ]
            for method in sorted(set(route.methods or ()) - {"HEAD", "GET"}):
                for path in paths:
                    for body in _bad_json(fields, foreign):
                        r = client.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
                        statuses[r.status_code] += 1
                        if r.status_code >= 500:
                            failures.append(
                                f"{method} {route.path} {str(body)[:80]} → {r.status_code} {r.text[:120]}"
                            )
                    r = client.request(
                        method,
                        path,
                        content=b"{not json",
                        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
                    )
                    if r.status_code >= 500:
                        failures.append(f"{method} {route.path} malformed JSON → {r.status_code}")
    assert not failures, "\n".join(failures[:40])
    # The bodies reached the routes' validation and services, not only the guards in front of them.
    assert statuses[422] > 100 and statuses[404] > 100 and statuses[400] + statuses[409] > 0, statuses
