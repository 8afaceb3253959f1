from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select

from tending.channel.models import Channel
from tending.demo.service import DEMO_EMAIL, DEMO_PASSWORD, build_demo
from tending.demo.world import generate
from tending.inbox.models import Conversation, Message

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_world_has_the_stories_the_demo_promises(tmp_path) -> None:
    plans = {p.key: p for p in generate(tmp_path, days=90, seed=3, now=NOW)}
    inbound = [r for p in plans.values() for r in p.records if r["direction"] == "inbound"]
    hours = {datetime.fromisoformat(r["created_at"]).hour for r in inbound}
    assert {1, 2, 3} <= hours  # people write at night
    wave = [r for r in plans["instagram"].records if "recall" in r["text"].lower()]
    assert len(wave) >= 30
    wave_hours = {datetime.fromisoformat(r["created_at"]).hour for r in wave}
    assert wave_hours <= {1, 2, 3, 4, 5}
    followers = [m["value"] for m in plans["instagram"].metrics if m["name"] == "followers"]
    jumps = [b - a for a, b in pairwise(followers)]
    assert max(jumps) > 8000 and sorted(jumps)[-2] < 500  # one overnight jump, steady otherwise
    blog_posts = [
        datetime.fromisoformat(r["created_at"]) for r in plans["blog"].records if r["kind"] == "post"
    ]
    assert NOW - max(blog_posts) > timedelta(days=60)  # stale blog
    assert plans["community"].members == 1_600_000 and len(plans["community"].records) < 30  # dead community
    assert any(
        r["author"]["default_avatar"] and r["author"]["following"] > 1000 for r in inbound
    )  # spam bots


def test_build_demo_uses_ingestion_and_is_idempotent(factory, settings, client) -> None:
    first = build_demo(factory, settings=settings, days=30, now=NOW)
    again = build_demo(factory, settings=settings, days=30, now=NOW)
    assert first.created and not again.created
    with factory() as s:
        assert s.scalar(select(func.count(Channel.id))) == 6
        assert s.scalar(select(func.count(Message.id))) == first.messages > 1000
        unanswered = s.scalar(select(func.count(Conversation.id)).where(Conversation.needs_reply.is_(True)))
        answered = s.scalar(
            select(func.count(Conversation.id)).where(Conversation.first_response_at.is_not(None))
        )
        assert unanswered > 50 and answered > 100
    r = client.post("/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert r.status_code == 200
    assert "Northwind" in client.get("/w/northwind/inbox").text


def test_demo_campaign_catches_the_recall_wave(factory, settings) -> None:
    from tending.campaign.models import Campaign, CampaignAlert

    build_demo(factory, settings=settings, days=60, now=NOW)
    with factory() as s:
        campaign = s.scalar(select(Campaign))
        assert campaign.status == "launched"
        alerts = s.scalars(select(CampaignAlert).where(CampaignAlert.campaign_id == campaign.id)).all()
        titles = {a.detail.get("scenario") for a in alerts}
        assert "Product safety scare" in titles


def test_demo_follower_jump_is_audited_as_suspicious(factory, settings) -> None:
    from tending.audience.service import growth_audit

    build_demo(factory, settings=settings, days=90, now=NOW)
    with factory() as s:
        rows = growth_audit(s, workspace_id=1, since=NOW - timedelta(days=60), until=NOW)
    insta = [g for g in rows if g.channel == "Northwind on Instagram" and g.metric == "followers"]
    assert insta and [j.verdict for j in insta[0].jumps] == ["suspicious"]
    assert insta[0].suspicious_followers and insta[0].suspicious_followers >= 8000


def test_demo_desk_routes_times_and_suggests(factory, settings) -> None:
    from tending.answers.service import suggest_answers
    from tending.auth.models import User
    from tending.routing.service import route_conversation
    from tending.sla.service import sla_for_conversation

    build_demo(factory, settings=settings, days=30, now=NOW)
    with factory() as s:
        charged = s.scalars(
            select(Message).where(Message.text.like("I was charged twice%"), Message.direction == "inbound")
        ).first()
        assert charged is not None and "billing" in (charged.topics or [])
        conv = s.get(Conversation, charged.conversation_id)
        decision = route_conversation(s, conversation=conv, now=NOW)
        assert s.get(User, decision.assignee_id).name == "Leo Billing"
        assert sla_for_conversation(s, conversation=conv, now=NOW) is not None
        titles = [x.title for x in suggest_answers(s, message=charged, limit=3)]
        assert titles[0] == "Charged twice"


def test_demo_history_raises_the_recall_wave_as_it_happened_and_no_alert_on_praise(factory, settings) -> None:
    from tending.alerts.service import needing_attention, places
    from tending.campaign.models import CampaignAlert
    from tending.demo.world import world_events

    build_demo(factory, settings=settings, days=60, now=NOW)
    wave = next(e for e in world_events(days=60, now=NOW) if e.kind == "burst")
    with factory() as s:
        panel = needing_attention(s, workspace_id=1, limit=5)
        # listening hears the untagged talk from the hour bucket the wave starts in: one incident with it
        began = wave.start - timedelta(hours=1)
        spikes = [i for i in panel if i.kind == "spike" and began <= i.opened_at <= wave.end]
        assert len(spikes) == 1  # the wave is one incident, whichever channels it hit
        channels = [int(p.split(":")[1]) for p in places(spikes[0]) if p.startswith("channel:")]
        names = {s.get(Channel, c).name for c in channels}
        assert names == {"Northwind on Instagram", "@northwindcoffee on X"}
        matched = s.scalars(
            select(Message.text).join(CampaignAlert, CampaignAlert.message_id == Message.id)
        ).all()
        assert matched and not [t for t in matched if "incredible" in t or "fully recyclable" in t]
        assert not [t for t in matched if t.startswith(("Love the new", "Your cold brew kit made"))]


def test_demo_listening_hears_the_untagged_recall_talk(factory, settings, client) -> None:
    from tending.alerts.models import AlertIncident
    from tending.listening.models import ListeningResult

    build_demo(factory, settings=settings, days=30, now=NOW)
    with factory() as s:
        heard = s.scalar(select(func.count(ListeningResult.id)))
        recall = s.scalar(
            select(func.count(ListeningResult.id)).where(ListeningResult.text.ilike("%recall%"))
        )
        assert heard > 40 and recall >= 30
        titles = list(s.scalars(select(AlertIncident.title)))
        assert any("Northwind talk" in t for t in titles)  # the burst raised a listening spike
    client.post("/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    page = client.get("/w/northwind/listening")
    assert page.status_code == 200 and "Northwind talk" in page.text and "listening-result" in page.text
