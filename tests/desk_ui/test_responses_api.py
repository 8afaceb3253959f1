from __future__ import annotations

from tests.conftest import login


def test_response_figures_json_scoped_to_workspace(client, world) -> None:
    login(client, "mia@acme.test")
    ws = world.workspace.id
    got = client.get(f"/api/v1/workspaces/{ws}/responses")
    assert got.status_code == 200
    body = got.json()
    assert body["workspace_id"] == ws
    assert len(body["heatmap"]) == 7 and all(len(row) == 24 for row in body["heatmap"])
    bad = client.get(
        f"/api/v1/workspaces/{ws}/responses",
        params={"since": "2026-02-01T00:00:00", "until": "2026-01-01T00:00:00"},
    )
    assert bad.status_code == 422
    foreign = client.get(f"/api/v1/workspaces/{world.other_workspace.id}/responses")
    assert foreign.status_code == 404
