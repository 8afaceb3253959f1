from __future__ import annotations

from datetime import timedelta

from campaign_world import T0, Brand

from tending.campaign.risk import HIGH_AT, backlash_risk

TOPIC_A = [  # price changes: the audience answered angrily
    "We are raising the price of filter coffee from next month",
    "Price update: espresso drinks will cost a little more from March",
    "Our prices change next week, here is why the price of beans matters",
    "A note on the new price of our coffee subscriptions",
    "Price of the breakfast menu goes up slightly from Monday",
]
TOPIC_B = [  # latte art and events: the audience answered warmly
    "Join our latte art workshop this Saturday with our head barista",
    "Latte art championship results are in, congratulations to the team",
    "Free latte art class for kids during the school holidays",
    "Our barista won the regional latte art throwdown",
    "Latte art night is back on Thursday, come and try pouring a heart",
]
ANGRY = [
    "This is a disgrace, I am done with you",
    "Terrible greedy decision, shame on you",
    "Awful, you are ripping off loyal customers",
]
HAPPY = ["Love this, great idea!", "Wonderful, thank you so much", "Amazing team, so happy for you"]


def _history(brand: Brand) -> None:
    for i, (text, replies) in enumerate([*((t, ANGRY) for t in TOPIC_A), *((t, HAPPY) for t in TOPIC_B)]):
        at = T0 - timedelta(days=100 - 3 * i)
        brand.message(text, at=at, direction="outbound", kind="post", thread=f"p{i}")
        for j, reply in enumerate(replies):
            # Half the replies carry a triage label, the rest are read by the VADER fallback.
            label = None if j % 2 else ("negative" if replies is ANGRY else "positive")
            brand.message(reply, at=at + timedelta(minutes=5 + j), thread=f"p{i}", sentiment=label)
    # Brand replies inside threads are not posts and must not count as history.
    brand.message(
        "Thanks for the feedback", at=T0 - timedelta(days=1), direction="outbound", kind="reply", thread="p0"
    )


def test_draft_like_past_angry_posts_is_high_risk_with_its_examples(brand: Brand) -> None:
    _history(brand)
    risk = backlash_risk(
        brand.session,
        workspace_id=brand.workspace.id,
        text="Heads up: the price of our coffee goes up next month",
    )
    assert risk.level == "high"
    assert risk.score >= HIGH_AT
    assert risk.history_posts == 10
    assert risk.examples, "the estimate must show the posts it came from"
    assert {e.text for e in risk.examples} <= set(TOPIC_A)
    top = risk.examples[0]
    assert top.replies == 3
    assert top.negative_replies == 3
    assert top.negative_share == 1.0
    assert top.similarity >= risk.examples[-1].similarity


def test_draft_like_past_warm_posts_is_low_risk(brand: Brand) -> None:
    _history(brand)
    risk = backlash_risk(
        brand.session, workspace_id=brand.workspace.id, text="Latte art workshop for beginners next Saturday"
    )
    assert risk.level == "low"
    assert risk.score < 0.2
    assert {e.text for e in risk.examples} <= set(TOPIC_B)
    assert risk.baseline_negative_share is not None
    assert abs(risk.baseline_negative_share - 0.5) < 1e-9


def test_k_limits_the_examples(brand: Brand) -> None:
    _history(brand)
    risk = backlash_risk(brand.session, workspace_id=brand.workspace.id, text="price of coffee", k=2)
    assert len(risk.examples) == 2


def test_no_history_or_nothing_similar_says_unknown(brand: Brand) -> None:
    empty = backlash_risk(brand.session, workspace_id=brand.workspace.id, text="price of coffee")
    assert (empty.level, empty.examples, empty.history_posts) == ("unknown", [], 0)
    _history(brand)
    unrelated = backlash_risk(
        brand.session, workspace_id=brand.workspace.id, text="Volcanic geology field trip in Iceland"
    )
    assert unrelated.level == "unknown"
    assert unrelated.examples == []
