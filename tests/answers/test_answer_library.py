"""The prepared answer library: API and dashboard forms, roles, audit."""

from __future__ import annotations

from sqlalchemy import select
from tests.conftest import login

from tending.answers.models import PreparedAnswer
from tending.audit.models import AuditEntry


def _form_login(client, email: str) -> str:
    """Log in, then drop the CSRF header so forms must carry the token themselves."""
    login(client, email)
    return client.headers.pop("X-CSRF-Token")


def _actions(factory, workspace_id: int) -> list[tuple[str, int | None]]:
    with factory() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.workspace_id == workspace_id).order_by(AuditEntry.id)
        )
        return [(r.action, r.actor_id) for r in rows]


ANSWER = {
    "title": "Where is my order?",
    "body": "Sorry for the wait! Could you send us your order number so we can check?",
    "topics": ["Shipping", " "],
    "examples": ["where is my parcel", "order not arrived yet"],
    "links": ["https://acme.test/track"],
    "attachments": [{"name": "Tracking help.png", "url": "https://files.acme.test/track.png"}],
}


def test_member_writes_answers_over_the_api(client, world, factory) -> None:
    login(client, world.member.email)
    base = f"/api/v1/workspaces/{world.workspace.id}/prepared-answers"
    r = client.post(base, json=ANSWER)
    assert r.status_code == 201, r.text
    answer = r.json()
    assert answer["topics"] == ["shipping"] and answer["author_id"] == world.member.id
    assert answer["examples"] == ANSWER["examples"] and answer["links"] == ["https://acme.test/track"]
    assert answer["attachments"] == [
        {"name": "Tracking help.png", "url": "https://files.acme.test/track.png"}
    ]

    r = client.patch(f"{base}/{answer['id']}", json={"title": "Order status", "examples": []})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Order status" and r.json()["examples"] == []
    assert r.json()["body"] == ANSWER["body"] and r.json()["links"] == ["https://acme.test/track"]
    assert client.patch(f"{base}/{answer['id']}", json={"links": ["javascript:alert(1)"]}).status_code == 422
    assert client.patch(f"{base}/{answer['id']}", json={"body": ""}).status_code == 422
    assert [a["title"] for a in client.get(base).json()] == ["Order status"]
    assert client.delete(f"{base}/{answer['id']}").status_code == 204
    assert client.get(base).json() == []
    assert _actions(factory, world.workspace.id) == [
        ("prepared_answer.create", world.member.id),
        ("prepared_answer.update", world.member.id),
        ("prepared_answer.delete", world.member.id),
    ]


def test_agency_reads_answers_only_and_foreign_workspaces_stay_hidden(client, world) -> None:
    login(client, world.admin.email)
    other = client.post(f"/api/v1/workspaces/{world.other_workspace.id}/prepared-answers", json=ANSWER).json()
    base = f"/api/v1/workspaces/{world.workspace.id}/prepared-answers"
    answer = client.post(base, json=ANSWER).json()
    assert client.patch(f"{base}/{other['id']}", json={"title": "stolen"}).status_code == 404
    login(client, world.agency.email)
    assert [a["id"] for a in client.get(base).json()] == [answer["id"]]
    assert client.post(base, json=ANSWER).status_code == 403
    assert client.patch(f"{base}/{answer['id']}", json={"title": "x"}).status_code == 403
    assert client.delete(f"{base}/{answer['id']}").status_code == 403
    login(client, world.outsider_agency.email)
    assert client.get(base).status_code == 404
    assert client.delete(f"{base}/{answer['id']}").status_code == 404


def test_answer_forms_create_edit_delete(client, world, factory) -> None:
    csrf = _form_login(client, world.member.email)
    assert "New prepared answer" in client.get("/w/acme/settings/answers").text
    r = client.post(
        "/w/acme/settings/answers",
        data={
            "title": "Refunds",
            "body": "Refunds take five working days.",
            "topics": "returns, refund",
            "examples": "I want my money back\n\ncan I get a refund?",
            "links": "https://acme.test/refunds",
            "attachments": "Refund form | https://files.acme.test/refund.pdf\nhttps://files.acme.test/steps.png",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    with factory() as s:
        answer = s.scalars(select(PreparedAnswer)).one()
        assert answer.topics == ["returns", "refund"] and len(answer.examples) == 2
        assert answer.attachments == [
            {"name": "Refund form", "url": "https://files.acme.test/refund.pdf"},
            {"name": "steps.png", "url": "https://files.acme.test/steps.png"},
        ]
    page = client.get("/w/acme/settings/answers")
    assert "Refund form" in page.text and "can I get a refund?" in page.text

    r = client.post(
        f"/w/acme/settings/answers/{answer.id}",
        data={"title": "Refunds", "body": "Refunds take three working days.", "csrf_token": csrf},
    )
    assert r.status_code == 200
    with factory() as s:
        answer = s.get(PreparedAnswer, answer.id)
        assert (
            answer.body.startswith("Refunds take three") and answer.attachments == [] and answer.topics == []
        )
    bad = client.post(
        "/w/acme/settings/answers",
        data={"title": "x", "body": "y", "links": "javascript:alert(1)", "csrf_token": csrf},
    )
    assert bad.status_code == 400 and "links" in bad.text
    assert (
        client.post(f"/w/acme/settings/answers/{answer.id}/delete", data={"csrf_token": csrf}).status_code
        == 200
    )
    with factory() as s:
        assert s.scalars(select(PreparedAnswer)).all() == []
    assert [a for a, _ in _actions(factory, world.workspace.id)] == [
        "prepared_answer.create",
        "prepared_answer.update",
        "prepared_answer.delete",
    ]


def test_answer_text_is_escaped_on_the_page(client, world) -> None:
    login(client, world.member.email)
    hostile = {**ANSWER, "title": "<script>alert(1)</script>", "examples": ['<img src=x onerror="alert(2)">']}
    assert (
        client.post(f"/api/v1/workspaces/{world.workspace.id}/prepared-answers", json=hostile).status_code
        == 201
    )
    page = client.get("/w/acme/settings/answers").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page


def test_answer_forms_refuse_agency_and_missing_csrf(client, world) -> None:
    _form_login(client, world.member.email)
    r = client.post("/w/acme/settings/answers", data={"title": "x", "body": "y"})
    assert r.status_code == 403 and "CSRF" in r.text
    client.cookies.clear()
    csrf = _form_login(client, world.agency.email)
    page = client.get("/w/acme/settings/answers")
    assert page.status_code == 200 and "New prepared answer" not in page.text
    r = client.post("/w/acme/settings/answers", data={"title": "x", "body": "y", "csrf_token": csrf})
    assert r.status_code == 403
