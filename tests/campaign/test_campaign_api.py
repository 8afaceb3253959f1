from __future__ import annotations

from tests.conftest import login


def test_plan_refused_until_complete_then_launched(client, world) -> None:
    login(client, "mia@acme.test")
    ws = world.workspace.id
    made = client.post(
        f"/api/v1/workspaces/{ws}/campaigns", json={"name": "Spring blend", "disputable": True}
    )
    assert made.status_code == 201
    cid = made.json()["id"]
    refused = client.post(f"/api/v1/workspaces/{ws}/campaigns/{cid}/launch")
    assert refused.status_code == 409
    missing = " | ".join(refused.json()["detail"]["missing"])
    for piece in ("objective", "KPI", "channel", "owner", "scenario"):
        assert piece.lower() in missing.lower(), piece
    client.post(f"/api/v1/workspaces/{ws}/campaigns", json={})  # invalid body is a 422, not a crash
    body = {
        "name": "Spring blend 2",
        "objective": "Grow online sales of the spring blend",
        "owner_id": world.member.id,
        "disputable": True,
        "channel_ids": [world.channel.id],
        "hashtags": ["#springblend"],
    }
    cid = client.post(f"/api/v1/workspaces/{ws}/campaigns", json=body).json()["id"]
    client.post(
        f"/api/v1/workspaces/{ws}/campaigns/{cid}/kpis",
        json={"name": "Sales", "metric": "sales", "target": 12000, "horizon_days": 90},
    )
    for i in range(4):
        client.post(
            f"/api/v1/workspaces/{ws}/campaigns/{cid}/scenarios",
            json={
                "title": f"Worst case {i}",
                "what_happens": "people say the price is too high",
                "trigger_keywords": ["price", "expensive"],
                "responder_id": world.member.id,
                "reaction": "Explain the farm price we pay",
            },
        )
    four = client.post(f"/api/v1/workspaces/{ws}/campaigns/{cid}/launch")
    assert four.status_code == 409 and any("scenario" in m for m in four.json()["detail"]["missing"])
    client.post(
        f"/api/v1/workspaces/{ws}/campaigns/{cid}/scenarios",
        json={
            "title": "Sourcing questioned",
            "what_happens": "a journalist asks about the farms",
            "example_messages": ["where do these beans really come from?"],
            "responder_id": world.member.id,
            "reaction": "Link the sourcing report",
        },
    )
    launched = client.post(f"/api/v1/workspaces/{ws}/campaigns/{cid}/launch")
    assert launched.status_code == 200 and launched.json()["status"] == "launched"
    assert client.get(f"/api/v1/workspaces/{ws}/campaigns/{cid}/progress").json()[0]["name"] == "Sales"
    risk = client.post(
        f"/api/v1/workspaces/{ws}/backlash-risk", json={"text": "Our new blend is here"}
    ).json()
    assert risk["level"] in {"low", "medium", "high", "unknown"}
    # another brand's agency cannot see it
    client.cookies.clear()
    login(client, "otto@agency.test")
    assert client.get(f"/api/v1/workspaces/{ws}/campaigns/{cid}").status_code == 404
