"""Comments a network withholds: marked in the desk, approved or rejected on the network, audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import PASSWORD, login

from tending.audit.models import AuditEntry
from tending.channel.models import ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.connectors.bases import (
    AuthorProfile,
    Connector,
    InboundItem,
    ReviewCapability,
    ReviewDecision,
    UpstreamError,
)
from tending.inbox.models import Message
from tending.ingest.service import ingest_items


class RecordingReview(Connector, ReviewCapability):
    """Stands in for the YouTube connector's decision call (its request is tested with the connector)."""

    decided: list[tuple[str, ReviewDecision]] = []
    fail = False

    def decide_review(self, *, external_id: str, decision: ReviewDecision) -> None:
        if self.fail:
            raise UpstreamError("503 backendError", network="youtube")
        self.decided.append((external_id, decision))


# One person wrote both withheld comments: they are one item of the desk.
SELLER = AuthorProfile(external_id="UCseller000000000000000001", name="Grinder Deals")


@pytest.fixture()
def held(
    factory: sessionmaker[Session], settings: Settings, world, monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:  # type: ignore[no-untyped-def]
    RecordingReview.decided = []
    RecordingReview.fail = False
    monkeypatch.setattr(
        "tending.moderation.network_review.build_connector", lambda channel, settings: RecordingReview()
    )
    at = datetime(2026, 3, 5, 11, tzinfo=UTC)
    with factory() as s:
        channel = create_channel(
            s,
            settings=settings,
            workspace_id=world.workspace.id,
            channel_in=ChannelCreate(
                network="youtube",
                name="Acme on YouTube",
                external_id="UCLumenCoffee0000000001a",
                config={"channel_id": "UCLumenCoffee0000000001a"},
            ),
        )
        s.flush()
        items = [
            InboundItem(
                "yt-held",
                "comment",
                "Is this grinder on sale at grinder-deals.example?",
                at,
                author=SELLER,
                thread_external_id="vid1",
                network_review="held_for_review",
            ),
            InboundItem(
                "yt-spam",
                "comment",
                "FREE beans, DM me",
                at,
                author=SELLER,
                thread_external_id="vid1",
                network_review="likely_spam",
            ),
            InboundItem("yt-public", "comment", "Lovely video", at, thread_external_id="vid1"),
        ]
        ingest_items(s, channel=channel, items=items)
        s.commit()
        ids = dict(
            s.execute(select(Message.external_id, Message.id).where(Message.channel_id == channel.id)).all()
        )
        ids["conversation"] = s.scalar(select(Message.conversation_id).where(Message.id == ids["yt-held"]))
        return ids


def _review(client: TestClient, world, message_id: int, decision: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/workspaces/{world.workspace.id}/messages/{message_id}/network-review",
        json={"decision": decision},
    )


def test_api_approves_and_rejects_on_the_network(
    client: TestClient, world, held: dict[str, int], session: Session
) -> None:  # type: ignore[no-untyped-def]
    login(client, "mia@acme.test")
    r = _review(client, world, held["yt-held"], "approve")
    assert r.status_code == 200 and r.json() == {"id": held["yt-held"], "network_review": None}
    r = _review(client, world, held["yt-spam"], "reject")
    assert r.status_code == 200 and r.json()["network_review"] == "rejected"
    assert RecordingReview.decided == [
        ("yt-held", ReviewDecision.approve),
        ("yt-spam", ReviewDecision.reject),
    ]
    # a message the network shows, or one already decided, has nothing to decide
    for mid in (held["yt-public"], held["yt-spam"]):
        refused = _review(client, world, mid, "approve")
        assert refused.status_code == 409 and "not waiting for a review" in refused.text
    assert _review(client, world, held["yt-held"], "maybe").status_code == 422
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "message")).all()
    assert sorted(actions) == ["message.network_review.approve", "message.network_review.reject"]


def test_a_refused_decision_changes_nothing(
    client: TestClient, world, held: dict[str, int], session: Session
) -> None:  # type: ignore[no-untyped-def]
    login(client, "mia@acme.test")
    RecordingReview.fail = True
    r = _review(client, world, held["yt-held"], "approve")
    assert r.status_code == 409 and "the network refused the decision" in r.text and "503" in r.text
    assert session.get(Message, held["yt-held"]).network_review == "held_for_review"  # type: ignore[union-attr]


def test_other_workspaces_and_agencies_cannot_decide(client: TestClient, world, held: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    login(client, "otto@agency.test")
    assert _review(client, world, held["yt-held"], "approve").status_code in (403, 404)
    assert RecordingReview.decided == []


def test_the_thread_marks_withheld_comments_and_offers_the_decision(
    client: TestClient, world, held: dict[str, int]
) -> None:  # type: ignore[no-untyped-def]
    page_login = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_login).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"email": "mia@acme.test", "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/w/acme/inbox/{held['conversation']}")
    assert page.status_code == 200
    assert "held for review on YouTube: not public yet" in page.text
    assert "likely spam on YouTube: not public yet" in page.text
    assert page.text.count('data-testid="network-review"') == 2
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"/w/acme/inbox/{held['conversation']}/messages/{held['yt-held']}/network-review",
        data={"decision": "approve", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = client.get(f"/w/acme/inbox/{held['conversation']}")
    assert (
        "held for review on YouTube" not in after.text
        and after.text.count('data-testid="network-review"') == 1
    )
