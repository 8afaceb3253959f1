"""Hostile text in every field a stranger or a careless colleague controls (message text, author names,
links, campaign names, channel labels, prepared answers), rendered by headless Chromium on the inbox,
thread, campaign and settings pages: no payload runs. A payload that ran would push to `window.__xss`,
open a dialog, or make htmx request a probe URL; each check also asserts the payload was shown (as text),
so a page that simply left it out cannot pass."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tending.answers.library import add_answer
from tending.answers.models import PreparedAnswerCreate
from tending.auth.models import User
from tending.campaign.models import CampaignCreate
from tending.campaign.service import create_campaign
from tending.channel.models import ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.database.core import make_engine, make_session_factory
from tending.demo.service import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG
from tending.inbox.models import Conversation, Message
from tending.ingest.service import ingest_items
from tending.workspace.models import Workspace

pytestmark = pytest.mark.browser

PROBE = "/xss-probe"
# Each payload carries its number: one that ran pushes it to window.__xss (or asks htmx for PROBE-n).
PAYLOADS = [
    "<script>window.__xss.push(1)</script>xss-1",
    '<img src=x onerror="window.__xss.push(2)">xss-2',
    '<svg onload="window.__xss.push(3)"></svg>xss-3',
    '"><script>window.__xss.push(4)</script><a href="javascript:window.__xss.push(4)">xss-4</a>',
    "' onmouseover='window.__xss.push(5)' autofocus onfocus='window.__xss.push(5)' x='xss-5",
    "{{7*7}} {% raw %}${7*7}xss-6",
    f'<div hx-get="{PROBE}-7" hx-trigger="load">xss-7</div><button hx-post="{PROBE}-7">go</button>',
    "\u202e<script>window.__xss.push(8)</script>\u202dxss-8 \uff1cscript\uff1ealert(8)\uff1c/script\uff1e",
    '<iframe srcdoc="<script>parent.__xss.push(9)</script>"></iframe>xss-9',
    "<details open ontoggle=\"window.__xss.push(10)\">xss-10</details><a href='javascript:alert(10)'>x</a>",
]
JS_URL = "javascript:window.__xss.push(11)"
INIT = "window.__xss = [];"
LIVE_ATTRIBUTES = """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
    .filter(a => (a.name.startsWith('on') && a.value.includes('__xss'))
        || (a.name.startsWith('hx-') && a.value.includes('xss-probe'))
        || (a.name === 'href' && a.value.trim().toLowerCase().startsWith('javascript:')))
    .map(a => el.tagName + ' ' + a.name + '=' + a.value))"""


def _plant(settings: Settings) -> dict[str, Any]:
    """Put every payload in the live demo's database: messages and authors, a channel, a campaign and
    its scenario, prepared answers."""
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    with factory() as s:
        ws = s.scalar(select(Workspace).where(Workspace.slug == DEMO_SLUG))
        admin = s.scalar(select(User).where(User.email == DEMO_EMAIL))
        assert ws is not None and admin is not None
        channel = create_channel(
            s,
            settings=settings,
            workspace_id=ws.id,
            channel_in=ChannelCreate(
                network="fake", name=PAYLOADS[3], handle=PAYLOADS[1], external_id="xss-channel", config={}
            ),
        )
        items = [
            InboundItem(
                external_id=f"xss-{n}",
                kind="comment",
                text=payload,
                created_at=now - timedelta(minutes=n),
                direction="inbound",
                url=JS_URL,
                thread_external_id="xss-thread",
                author=AuthorProfile(external_id=f"xss-author-{n}", handle=payload[:60], name=payload),
            )
            for n, payload in enumerate(PAYLOADS, start=1)
        ]
        ingest_items(s, channel=channel, items=items)
        for payload in PAYLOADS:
            add_answer(
                s,
                workspace_id=ws.id,
                actor_id=admin.id,
                answer_in=PreparedAnswerCreate(
                    title=f"{payload} answer", body=payload, topics=[payload[:40]]
                ),
            )
        campaign = create_campaign(
            s,
            workspace_id=ws.id,
            campaign_in=CampaignCreate(
                name=PAYLOADS[0] + PAYLOADS[4][:100],
                objective=" ".join(PAYLOADS),
                channel_ids=[channel.id],
                keywords=[p[:80] for p in PAYLOADS],
            ),
        )
        s.commit()
        conv = s.scalar(
            select(Conversation.id)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.channel_id == channel.id)
        )
        ids = {"conversation": conv, "campaign": campaign.id, "channel": channel.id}
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def planted(live_settings: Settings) -> dict[str, Any]:
    return _plant(live_settings)


def test_no_payload_runs_on_inbox_thread_campaign_and_settings_pages(
    page,
    live_server: str,
    planted: dict[str, Any],
) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    probes: list[str] = []
    page.add_init_script(INIT)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: probes.append(r.url) if PROBE in r.url else None)
    page.goto(f"{live_server}/login")
    page.fill("#email", DEMO_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/w/northwind/"))
    base = f"{live_server}/w/{DEMO_SLUG}"
    pages = {
        "inbox": f"{base}/inbox",
        "inbox search": f"{base}/inbox?q=xss",
        "thread": f"{base}/inbox/{planted['conversation']}",
        "campaigns": f"{base}/campaigns",
        "campaign": f"{base}/campaigns/{planted['campaign']}",
        "channels": f"{base}/channels",
        "settings": f"{base}/settings",
        "prepared answers": f"{base}/settings/answers",
        "routing": f"{base}/settings/routing",
    }
    shown: dict[str, int] = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{name}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        ran = page.evaluate("window.__xss")
        assert ran == [], f"{name}: payloads {ran} ran"
        # Handlers that only a hover or a click would fire: no element may carry one from user text.
        live = page.evaluate(LIVE_ATTRIBUTES)
        assert live == [], f"{name}: user text became live attributes {live}"
        text = page.inner_text("body")
        shown[name] = len(set(re.findall(r"xss-(\d+)", text)))
        if "{{7*7}}" not in text and "xss-6" in text:
            pytest.fail(f"{name}: the template expression was evaluated")
    assert dialogs == [], f"dialogs opened: {dialogs}"
    assert probes == [], f"htmx attributes from user text were live: {probes}"
    # The payloads were really on these pages, as text.
    for name in ("thread", "campaign", "prepared answers"):
        assert shown[name] >= 3, f"{name} showed only {shown[name]} payloads: the test would prove nothing"
    assert all(shown[n] >= 1 for n in ("inbox", "inbox search", "campaigns", "channels")), shown


def test_a_javascript_link_from_a_network_is_not_clickable(
    page,
    live_server: str,
    planted: dict[str, Any],
) -> None:  # type: ignore[no-untyped-def]
    page.add_init_script(INIT)
    page.goto(f"{live_server}/login")
    page.fill("#email", DEMO_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/w/northwind/"))
    page.goto(f"{live_server}/w/{DEMO_SLUG}/inbox/{planted['conversation']}")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    assert "xss-1" in page.inner_text(".messages")
