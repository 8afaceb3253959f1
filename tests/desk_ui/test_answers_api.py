from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import login
from tests.desk_fixtures import Msg, make_channel, make_conversation, message_of

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_suggestions_and_reply_check(client, world, factory) -> None:
    with factory() as s:
        ws = s.merge(world.workspace)
        conv = make_conversation(
            s, ws, make_channel(s, ws, name="Q"), [Msg("inbound", T0, "how do I export?")]
        )
        mid = message_of(s, conv).id
        s.commit()
    login(client, "mia@acme.test")
    wid = world.workspace.id
    got = client.get(f"/api/v1/workspaces/{wid}/messages/{mid}/suggestions")
    assert got.status_code == 200 and isinstance(got.json(), list)
    assert client.get(f"/api/v1/workspaces/{wid}/messages/999999/suggestions").status_code == 404
    checked = client.post(f"/api/v1/workspaces/{wid}/replies/check", json={"text": "Thanks, we fixed it"})
    assert checked.status_code == 200
    assert checked.json()["flagged"] is False and checked.json()["identical_sends"] == 0
    assert client.post(f"/api/v1/workspaces/{wid}/replies/check", json={"text": ""}).status_code == 422
    foreign = client.post(
        f"/api/v1/workspaces/{world.other_workspace.id}/replies/check", json={"text": "hello"}
    )
    assert foreign.status_code == 404
