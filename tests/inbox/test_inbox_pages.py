from __future__ import annotations

import re

import orjson
from fastapi.testclient import TestClient
from tests.conftest import PASSWORD
from tests.factories import record

from tending.channel.models import Channel
from tending.ingest.generic import item_from_record
from tending.ingest.service import ingest_items


def _page_login(client: TestClient, email: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_inbox_page_thread_reply_close(client: TestClient, factory, world) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        recs = [record(1, text=hostile), record(2, text="Is the shop open on Sunday?")]
        ingest_items(s, channel=ch, items=[item_from_record(r, raw=orjson.dumps(r).decode()) for r in recs])
        s.commit()
    _page_login(client, "mia@acme.test")
    page = client.get("/w/acme/inbox")
    assert page.status_code == 200
    assert "Is the shop open on Sunday?" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert 'data-testid="needs-reply-count">2 conversations<' in page.text
    conv_id = int(re.search(r'/w/acme/inbox/(\d+)[?"]', page.text).group(1))
    thread = client.get(f"/w/acme/inbox/{conv_id}")
    assert thread.status_code == 200 and "<img src=x" not in thread.text
    r = client.post(
        f"/w/acme/inbox/{conv_id}/reply", data={"text": "Yes, 10 to 4!", "csrf_token": _csrf(thread.text)}
    )
    assert r.status_code == 200 and "Yes, 10 to 4!" in r.text
    r = client.post(f"/w/acme/inbox/{conv_id}/status", data={"status": "closed", "csrf_token": _csrf(r.text)})
    assert 'data-testid="conversation-status">closed<' in r.text
    assert "conversation.closed" in r.text
    rows = client.get("/w/acme/inbox/rows", params={"status": "closed"})
    assert rows.status_code == 200 and rows.text.count('class="conv') == 1


def test_form_posts_without_csrf_are_refused(client: TestClient, factory, world) -> None:
    _page_login(client, "mia@acme.test")
    r = client.post("/w/acme/inbox/1/status", data={"status": "closed"})
    assert r.status_code == 403
