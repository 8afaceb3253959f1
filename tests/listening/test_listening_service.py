from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import World, demo_file

from tending.alerts.models import AlertIncident
from tending.channel.models import Channel
from tending.config import Settings
from tending.connectors.bases import (
    AuthorProfile,
    InboundItem,
    RateLimited,
    SearchCapability,
    SearchQuery,
    SearchQuota,
)
from tending.errors import Refused
from tending.inbox.models import Conversation, Message
from tending.listening import service
from tending.listening.ingest import store_results
from tending.listening.models import ListeningResult, QueryIn, ResultState
from tending.listening.spikes import scan_query_spikes

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _post(n: int, text: str, *, at: datetime | None = None, lang: str = "en") -> dict[str, Any]:
    return {
        "id": f"pub-{n}",
        "kind": "post",
        "text": text,
        "created_at": (at or NOW - timedelta(minutes=n)).isoformat(),
        "language": lang,
        "author": {"id": f"person-{n}", "handle": f"person{n}", "name": f"Person {n}"},
        "url": f"https://fake.example/pub-{n}",
    }


def _listening_source(settings: Settings, posts: list[dict[str, Any]]) -> str:
    demo_file(settings, "listening.jsonl", "\n".join(json.dumps(p) for p in posts) + "\n")
    return "listening.jsonl"


def _enable(
    factory: sessionmaker[Session], world: World, settings: Settings, posts: list[dict[str, Any]]
) -> None:
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert ch is not None
        ch.config = {**ch.config, "listening_source": _listening_source(settings, posts), "page_size": 3}
        s.commit()


def _query(factory: sessionmaker[Session], world: World, settings: Settings, **kw: Any) -> int:
    data = {"name": "Cold brew", "terms": ["lumen"], "phrases": ["cold brew"], "networks": ["fake"], **kw}
    with factory() as s:
        q = service.create_query(
            s, workspace_id=world.workspace.id, data=QueryIn(**data), actor=None, settings=settings
        )
        s.commit()
        return q.id


def test_search_query_matches_words_phrases_exclusions_and_languages() -> None:
    q = SearchQuery(terms=("lumen",), phrases=("cold brew",), exclusions=("giveaway",), languages=("en",))
    assert q.matches("anyone else sick from the new Cold Brew?", "en")
    assert q.matches("Lumen again", None)
    assert not q.matches("lumens of light? no: illuminate", "en")  # whole words only
    assert not q.matches("lumen giveaway!!", "en")
    assert not q.matches("lumen est bon", "fr")
    assert q.search_string() == '(lumen OR "cold brew") -giveaway'
    assert SearchQuery(terms=("#lumen", "two words")).hashtags() == ["lumen"]


def test_run_stores_matching_posts_once_and_resumes_from_its_cursor(
    factory: sessionmaker[Session], world: World, settings: Settings
) -> None:
    posts = [
        _post(1, "Anyone else get sick from the new cold brew?"),
        _post(2, "Lovely weather"),
        _post(3, "lumen cold brew recall? my cup tasted off"),
        _post(4, "lumen giveaway", lang="en"),
        _post(5, "I love Lumen cold brew so much"),
    ]
    _enable(factory, world, settings, posts)
    qid = _query(factory, world, settings, exclusions=["giveaway"])
    first = service.run_query(factory, settings=settings, query_id=qid, now=NOW)
    assert first.errors == {}
    assert first.pages == 2  # page_size 3 over five posts
    assert first.stats.new == 3
    again = service.run_query(factory, settings=settings, query_id=qid, now=NOW)
    assert again.stats.new == 0  # the cursor is past every post
    with factory() as s:
        rows = s.scalars(select(ListeningResult).order_by(ListeningResult.external_id)).all()
        assert [r.external_id for r in rows] == ["pub-1", "pub-3", "pub-5"]
        assert all(r.sentiment is not None for r in rows)  # triaged like every message
        assert {r.state for r in rows} == {ResultState.new.value}
        assert s.scalar(select(func.count()).select_from(Message)) == 0  # not in the desk
        spend = service.quota_view(s, workspace_id=world.workspace.id, network="fake", cls=_fake(), now=NOW)
        assert spend.spent == 3


def _fake() -> Any:
    from tending.connectors.fake.connector import FakeConnector

    return FakeConnector


def test_store_results_is_idempotent_and_screens_items(
    session: Session, world: World, settings: Settings
) -> None:
    q = service.create_query(
        session,
        workspace_id=world.workspace.id,
        data=QueryIn(name="q", terms=["lumen"], networks=["fake"]),
        actor=None,
        settings=settings,
    )
    qid = q.id
    item = InboundItem(
        external_id="x1", kind="post", text="lumen", created_at=NOW, author=AuthorProfile(external_id="a1")
    )
    bad = InboundItem(external_id="x" * 400, kind="post", text="lumen", created_at=NOW)
    stats = store_results(
        session,
        workspace_id=world.workspace.id,
        query_id=qid,
        network="fake",
        channel_id=None,
        items=[item, item, bad],
    )
    assert (stats.new, len(stats.set_aside)) == (1, 1)
    stats = store_results(
        session, workspace_id=world.workspace.id, query_id=qid, network="fake", channel_id=None, items=[item]
    )
    assert (stats.new, stats.duplicates) == (0, 1)


def test_a_query_needs_words_and_a_searching_network(
    session: Session, world: World, settings: Settings
) -> None:
    with pytest.raises(Refused, match="keyword or phrase"):
        service.create_query(
            session,
            workspace_id=world.workspace.id,
            data=QueryIn(name="q", networks=["fake"]),
            actor=None,
            settings=settings,
        )
    with pytest.raises(Refused, match="no search on facebook"):
        service.create_query(
            session,
            workspace_id=world.workspace.id,
            data=QueryIn(name="q", terms=["x"], networks=["facebook"]),
            actor=None,
            settings=settings,
        )


def test_spent_quota_stops_the_run_and_keeps_what_was_stored(
    factory: sessionmaker[Session], world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts = [_post(n, f"lumen number {n}") for n in range(1, 10)]
    _enable(factory, world, settings, posts)
    qid = _query(factory, world, settings)
    monkeypatch.setattr(_fake(), "search_quota", SearchQuota(calls=2, window_seconds=3600))
    out = service.run_query(factory, settings=settings, query_id=qid, now=NOW)
    assert out.out_of_quota == ["fake"] and out.stats.new == 6  # two pages of three, then the window is spent
    later = service.run_query(
        factory, settings=settings, query_id=qid, now=NOW + timedelta(hours=1, seconds=1)
    )
    assert later.stats.new == 3  # a new window, resumed from the stored cursor


def test_rate_limit_keeps_cursor_and_reports_retry(
    factory: sessionmaker[Session], world: World, settings: Settings
) -> None:
    _enable(factory, world, settings, [_post(1, "lumen")])
    qid = _query(factory, world, settings)

    class Limited:
        search_quota = SearchQuota(calls=10, window_seconds=60)
        search_cost = 1

        def search(self, query: SearchQuery, cursor: dict[str, Any]) -> Any:
            raise RateLimited("slow down", retry_after=42, network="fake")

        def close(self) -> None:
            pass

    SearchCapability.register(Limited)
    out = service.run_query(
        factory, settings=settings, query_id=qid, now=NOW, connector_for=lambda ch: Limited()
    )
    assert out.retry_after == 42 and "slow down" in out.errors["fake"]
    with factory() as s:
        q = service.get_query(s, workspace_id=world.workspace.id, query_id=qid)
        assert q.cursors == {} and q.last_error and "slow down" in q.last_error


def test_answer_this_moves_the_post_into_the_desk_once(
    factory: sessionmaker[Session], world: World, settings: Settings
) -> None:
    _enable(factory, world, settings, [_post(1, "lumen cold brew made me sick")])
    qid = _query(factory, world, settings)
    service.run_query(factory, settings=settings, query_id=qid, now=NOW)
    with factory() as s:
        result = s.scalars(select(ListeningResult)).one()
        conversation, new_ids = service.answer_this(s, result=result, actor=None)
        s.commit()
        assert len(new_ids) == 1
        assert conversation.needs_reply
        again, more = service.answer_this(s, result=result, actor=None)
        assert again.id == conversation.id and more == []
        assert result.state == ResultState.moved.value and result.conversation_id == conversation.id
        msg = s.scalars(select(Message)).one()
        assert msg.external_id == "pub-1" and msg.reply_state == "needs_reply"
        assert s.scalar(select(func.count()).select_from(Conversation)) == 1


def test_a_burst_of_negative_talk_raises_a_spike_alert(
    factory: sessionmaker[Session], world: World, settings: Settings
) -> None:
    quiet = [
        _post(1000 + h, "lumen is fine", at=NOW - timedelta(days=13, hours=-h)) for h in range(0, 300, 7)
    ]
    burst = [
        _post(5000 + i, "lumen cold brew recall made me sick", at=NOW - timedelta(minutes=30 + i))
        for i in range(25)
    ]
    _enable(factory, world, settings, [*quiet, *burst])
    qid = _query(factory, world, settings)
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert ch is not None
        ch.config = {**ch.config, "page_size": 500}
        s.commit()
    service.run_query(factory, settings=settings, query_id=qid, now=NOW)
    with factory() as s:
        q = service.get_query(s, workspace_id=world.workspace.id, query_id=qid)
        raised = scan_query_spikes(s, query=q, since=NOW - timedelta(days=14), until=NOW, now=NOW)
        s.commit()
        assert raised >= 1
        incident = s.scalars(select(AlertIncident)).first()
        assert incident is not None and "Cold brew" in incident.title
        assert scan_query_spikes(s, query=q, since=NOW - timedelta(days=14), until=NOW, now=NOW) == 0


def test_campaign_identifiers_and_triggers_become_a_query(
    session: Session, world: World, settings: Settings
) -> None:
    from tending.campaign.models import Campaign, Scenario

    campaign = Campaign(
        workspace_id=world.workspace.id,
        name="Cold brew launch",
        hashtags=["#lumenbrew"],
        keywords=["cold brew"],
    )
    session.add(campaign)
    session.flush()
    session.add(
        Scenario(campaign_id=campaign.id, title="Recall", trigger_keywords=["recall", "made me sick"])
    )
    session.flush()
    q = service.query_from_campaign(
        session, campaign=campaign, networks=["fake"], actor=None, settings=settings
    )
    assert q.campaign_id == campaign.id
    assert q.terms == ["#lumenbrew", "recall"] and q.phrases == ["cold brew", "made me sick"]


def test_untagged_talk_of_a_campaign_query_meets_its_scenarios_once(
    factory: sessionmaker[Session], world: World, settings: Settings
) -> None:
    from tending.campaign.models import Campaign, CampaignAlert, CampaignStatus, Scenario

    posts = [
        _post(1, "this cold brew made me sick all night, is there a recall?"),
        _post(2, "I love this cold brew, best coffee ever"),
    ]
    _enable(factory, world, settings, posts)
    with factory() as s:
        campaign = Campaign(
            workspace_id=world.workspace.id,
            name="Cold brew launch",
            hashtags=["#lumenbrew"],
            keywords=["cold brew"],
            status=CampaignStatus.launched.value,
            launched_at=NOW - timedelta(days=2),
        )
        s.add(campaign)
        s.flush()
        s.add(
            Scenario(
                campaign_id=campaign.id,
                title="Recall",
                what_happens="People fall ill",
                reaction="Apologise and pull the batch",
                trigger_keywords=["recall", "made me sick"],
            )
        )
        s.flush()
        qid = service.query_from_campaign(
            s, campaign=campaign, networks=["fake"], actor=None, settings=settings
        ).id
        s.commit()
    service.run_query(factory, settings=settings, query_id=qid, now=NOW)
    with factory() as s:
        alerts = s.scalars(select(CampaignAlert)).all()
        assert len(alerts) == 1
        alert = alerts[0]
        assert alert.message_id is None and alert.kind == "scenario_match"
        result = s.scalars(select(ListeningResult).where(ListeningResult.external_id == "pub-1")).one()
        assert alert.detail["listening_result_id"] == result.id
        assert alert.detail["network"] == "fake" and alert.detail["url"] == result.url
        assert "made me sick" in alert.detail["message_excerpt"]
        assert s.scalar(select(func.count()).select_from(AlertIncident)) == 1
        # The same page read again raises nothing new.
        from tending.campaign.scenarios import match_listening_results

        ids = list(s.scalars(select(ListeningResult.id)))
        assert match_listening_results(s, query_id=qid, result_ids=ids) == []
        s.commit()
        assert s.scalar(select(func.count()).select_from(CampaignAlert)) == 1
