from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import login
from tests.desk_fixtures import Msg, make_channel, make_conversation, message_of

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _messages(factory, world) -> tuple[int, int, int]:
    with factory() as s:
        ws = s.merge(world.workspace)
        ch = make_channel(s, ws, name="Desk")
        complaint = make_conversation(
            s,
            ws,
            ch,
            [Msg("inbound", T0, "Your update broke my app", sentiment="negative", intent="complaint")],
        )
        spam = make_conversation(s, ws, ch, [Msg("inbound", T0, "cheap followers here", intent="spam")])
        other = s.merge(world.other_workspace)
        foreign = make_conversation(s, other, make_channel(s, other, name="Elsewhere"), [Msg("inbound", T0)])
        ids = message_of(s, complaint).id, message_of(s, spam).id, message_of(s, foreign).id
        s.commit()
    return ids


def test_hide_unhide_and_report(client, world, factory) -> None:
    complaint, spam, foreign = _messages(factory, world)
    login(client, "mia@acme.test")
    ws = world.workspace.id
    refused = client.post(
        f"/api/v1/workspaces/{ws}/messages/{complaint}/hide", json={"category": "negative", "reason": "rude"}
    )
    assert refused.status_code == 409
    assert "only spam or abuse" in refused.json()["detail"]
    hidden = client.post(
        f"/api/v1/workspaces/{ws}/messages/{spam}/hide", json={"category": "spam", "reason": "follower sale"}
    )
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    report = client.get(
        f"/api/v1/workspaces/{ws}/moderation/report",
        params={"since": "2026-03-01T00:00:00+00:00", "until": "2026-03-03T00:00:00+00:00"},
    )
    assert report.status_code == 200
    assert report.json()["hidden_by_category"] == {"spam": 1}
    assert report.json()["negative_legitimate_hidden"] == 0
    shown = client.post(f"/api/v1/workspaces/{ws}/messages/{spam}/unhide", json={"reason": "was fine"})
    assert shown.status_code == 200 and shown.json()["hidden"] is False
    cross = client.post(
        f"/api/v1/workspaces/{ws}/messages/{foreign}/hide", json={"category": "spam", "reason": "x"}
    )
    assert cross.status_code == 404
    other = client.get(f"/api/v1/workspaces/{world.other_workspace.id}/moderation/report")
    assert other.status_code == 404
