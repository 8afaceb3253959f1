from __future__ import annotations

import importlib.util
from datetime import UTC, datetime

from tests.report.conftest import HOSTILE

from tending.auth.models import User
from tending.auth.service import create_api_token
from tending.report import audit, digest
from tending.report.render import standalone_html
from tending.workspace.models import Workspace

SUNDAY = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def test_digest_lists_the_week_incidents_only_escaped(session, world, seeded) -> None:
    ws = session.get(Workspace, world.workspace.id)
    report = digest.build(session, workspace=ws, now=SUNDAY)
    alerts = report.table("alerts")
    assert alerts is not None
    # The incident that began the week before is not counted again.
    assert [row[1] for row in alerts.rows] == ["Volume spike", "Worst case recognised"]
    assert any(row[3] == HOSTILE for row in alerts.rows)
    assert "2 alert incidents" in report.subject
    html = standalone_html(report)
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_audit_shows_spikes_with_evidence(session, world, seeded) -> None:
    ws = session.get(Workspace, world.workspace.id)
    report = audit.build(
        session, workspace=ws, since=datetime(2026, 3, 1, tzinfo=UTC), until=SUNDAY, now=SUNDAY
    )
    spikes = report.table("spikes")
    assert spikes is not None and len(spikes.rows) == 1
    row = dict(zip(spikes.columns, spikes.rows[0], strict=True))
    assert (row["value"], row["expected"], row["band top"]) == (40.0, 6.0, 12.0)
    audience = next(s for s in report.sections if s.title.startswith("Audience growth"))
    if importlib.util.find_spec("tending.audience") is None:
        assert not audience.available and "not installed" in audience.notes[0]


def test_exports_accept_a_workspace_api_token(client, session, world, seeded) -> None:
    user = session.get(User, world.member.id)
    _token, secret = create_api_token(session, user=user, workspace_id=world.workspace.id, name="bi")
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    ok = client.get(f"/api/v1/workspaces/{world.workspace.id}/exports/posts.json", headers=headers)
    assert ok.status_code == 200 and len(ok.json()) == 1
    other = client.get(f"/api/v1/workspaces/{world.other_workspace.id}/exports/posts.json", headers=headers)
    assert other.status_code == 404
