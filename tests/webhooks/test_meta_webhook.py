"""Meta webhooks: the handshake, the signature, and notifications stored once alongside polling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tending.app import create_app
from tending.channel.models import Channel, ChannelCreate
from tending.channel.service import create as create_channel
from tending.config import Settings
from tending.connectors.facebook import FacebookConnector
from tending.connectors.graph.webhook import read_notification, sign, signature_valid
from tending.connectors.instagram import InstagramConnector
from tending.inbox.models import Conversation, Message
from tending.ingest.poll import poll_channel
from tending.webhooks.service import deliver_meta
from tending.workspace.models import WorkspaceCreate
from tending.workspace.service import create as create_workspace

HERE = Path(__file__).parent
CONNECTOR_FIXTURES = HERE.parent / "connectors" / "fixtures"
GRAPH = f"https://graph.facebook.com/{Settings().graph_api_version}"
PAGE = "104000000000001"
IG = "17841400000000001"
SECRET = "meta-app-secret-for-tests"
VERIFY = "verify-me-please"


def _fixture(name: str) -> Any:
    return json.loads((HERE / "fixtures" / name).read_text())


def _body(name: str) -> bytes:
    return (HERE / "fixtures" / name).read_bytes()


@pytest.fixture()
def meta_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test settings with the Meta app's secrets, for the web app and the inline tasks alike."""
    from tending.config import get_settings
    from tending.worker import runtime

    monkeypatch.setenv("TENDING_META_APP_SECRET", SECRET)
    monkeypatch.setenv("TENDING_META_VERIFY_TOKEN", VERIFY)
    get_settings.cache_clear()
    runtime.cache_clear()
    return settings.model_copy(
        update={"meta_app_secret": SecretStr(SECRET), "meta_verify_token": SecretStr(VERIFY)}
    )


@pytest.fixture()
def meta_client(meta_settings: Settings, engine: object) -> Iterator[TestClient]:
    app = create_app(meta_settings)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture()
def channels(factory: sessionmaker[Session], meta_settings: Settings) -> dict[str, int]:
    """A Facebook Page and an Instagram account of one brand, as Meta's notifications name them."""
    accounts = {
        "facebook": ({"page_id": PAGE, "recent_posts": 2}, {"page_access_token": "EAAB-page-token"}),
        "instagram": ({"ig_user_id": IG, "username": "lumencoffee"}, {"access_token": "EAAB-ig-token"}),
    }
    with factory() as s:
        ws = create_workspace(s, workspace_in=WorkspaceCreate(name="Lumen Coffee", slug="lumen"))
        ids = {}
        for network, (config, credentials) in accounts.items():
            channel_in = ChannelCreate(
                network=network,
                name=f"Lumen on {network}",
                external_id=next(iter(config.values())),
                config=config,
                credentials=credentials,
            )
            ids[network] = create_channel(
                s, settings=meta_settings, workspace_id=ws.id, channel_in=channel_in
            ).id
        s.commit()
        return ids


def _post(client: TestClient, body: bytes, *, signature: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post("/api/v1/webhooks/meta", content=body, headers=headers)


def _messages(session: Session, channel_id: int) -> dict[str, Message]:
    rows = session.scalars(select(Message).where(Message.channel_id == channel_id))
    return {m.external_id: m for m in rows}


def _thread(session: Session, message: Message) -> str:
    """The post a comment is under (each person's comments are their own item there), or the DM thread."""
    conversation = session.get(Conversation, message.conversation_id)
    assert conversation is not None
    return conversation.post_key or conversation.thread_key


def _graph_factory(mock: respx.Router):  # type: ignore[no-untyped-def]
    http = httpx.Client(transport=httpx.MockTransport(mock.handler))

    def build(channel: Channel) -> FacebookConnector | InstagramConnector:
        cls = FacebookConnector if channel.network == "facebook" else InstagramConnector
        return cls(config=channel.config, credentials={"access_token": "EAAB-token"}, http=http)

    return build


# -- the signature ------------------------------------------------------------------------------------


def test_signature_is_the_hmac_of_the_raw_body() -> None:
    body = _body("page_feed.json")
    good = sign(body, SECRET)
    assert good.startswith("sha256=") and len(good) == len("sha256=") + 64
    assert signature_valid(body, good, SECRET)
    assert signature_valid(body, good.upper().replace("SHA256=", "sha256="), SECRET)
    assert not signature_valid(body, sign(body, "another-secret"), SECRET)
    assert not signature_valid(body + b" ", good, SECRET)  # the raw bytes, not the parsed JSON
    assert not signature_valid(body, good.removeprefix("sha256="), SECRET)
    assert not signature_valid(body, "sha1=" + good.removeprefix("sha256="), SECRET)
    assert not signature_valid(body, None, SECRET)
    assert not signature_valid(body, good, "")


# -- the endpoint -------------------------------------------------------------------------------------


def test_handshake_echoes_the_challenge_only_for_the_verify_token(meta_client: TestClient) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    r = meta_client.get("/api/v1/webhooks/meta", params=params)
    assert r.status_code == 200 and r.text == "1158201444"
    assert r.headers["content-type"].startswith("text/plain")
    wrong = meta_client.get("/api/v1/webhooks/meta", params={**params, "hub.verify_token": "guess"})
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    assert meta_client.get("/api/v1/webhooks/meta", params={**params, "hub.mode": "x"}).status_code == 403


def test_without_configured_secrets_everything_is_refused(client: TestClient) -> None:
    body = _body("page_feed.json")
    params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert client.get("/api/v1/webhooks/meta", params=params).status_code == 403
    r = _post(client, body, signature=sign(body, ""))
    assert r.status_code == 403 and "TENDING_META_APP_SECRET" in r.text


def test_unsigned_or_forged_notifications_store_nothing(
    meta_client: TestClient, channels: dict[str, int], session: Session
) -> None:
    body = _body("page_feed.json")
    assert _post(meta_client, body).status_code == 403
    assert _post(meta_client, body, signature=sign(body, "not-the-secret")).status_code == 403
    tampered = body.replace(b"Oat milk", b"Free coins")
    assert _post(meta_client, tampered, signature=sign(body, SECRET)).status_code == 403
    assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_signed_bad_json_is_a_clear_400(meta_client: TestClient) -> None:
    for body in (b"{not json", b"[1, 2]"):
        r = _post(meta_client, body, signature=sign(body, SECRET))
        assert r.status_code == 400 and "JSON" in r.text


def test_page_comments_are_stored_triaged_and_the_poll_adds_no_copy(
    meta_client: TestClient,
    channels: dict[str, int],
    factory: sessionmaker[Session],
    meta_settings: Settings,
) -> None:
    body = _body("page_feed.json")
    r = _post(meta_client, body, signature=sign(body, SECRET))
    assert r.status_code == 200 and r.json() == {"status": "queued"}
    fb = channels["facebook"]
    with factory() as s:
        stored = _messages(s, fb)
        # the reaction, the removal and the unknown `ratings` field are skipped
        assert set(stored) == {"900000000000011_5000000001", "900000000000011_5000000003"}
        top, reply = stored["900000000000011_5000000001"], stored["900000000000011_5000000003"]
        assert (top.kind, top.direction, top.text) == ("comment", "inbound", "Oat milk flat white 🙏")
        assert top.parent_external_id == f"{PAGE}_900000000000011"
        assert reply.kind == "reply" and reply.parent_external_id == top.external_id
        assert _thread(s, top) == _thread(s, reply) == f"{PAGE}_900000000000011"
        assert top.intent is not None and top.urgency is not None  # triage ran on the new messages
        channel = s.get(Channel, fb)
        assert channel is not None and channel.cursor == {}  # polling's cursor is left alone
    # Meta re-sends a notification it thinks was lost: nothing new
    assert _post(meta_client, body, signature=sign(body, SECRET)).status_code == 200
    # the safety-net poll reads the same comments from the feed: stored once, same thread
    mock = respx.Router(base_url=GRAPH, assert_all_called=True)
    feed = json.loads((CONNECTOR_FIXTURES / "facebook" / "feed_latest.json").read_text())
    mock.get(f"/{PAGE}/feed").respond(json=feed)
    outcome = poll_channel(
        factory, settings=meta_settings, channel_id=fb, connector_factory=_graph_factory(mock)
    )
    assert outcome.error is None and outcome.stats.duplicates == 2
    with factory() as s:
        stored = _messages(s, fb)
        assert len(stored) == 4
        # the same posts as before the poll (each person's comments are an item under their post)
        posts = func.count(func.distinct(func.coalesce(Conversation.post_key, Conversation.thread_key)))
        assert s.scalar(select(posts).where(Conversation.channel_id == fb)) == 2


def test_instagram_comments_and_unknown_objects_and_accounts(
    meta_client: TestClient, channels: dict[str, int], factory: sessionmaker[Session]
) -> None:
    body = _body("instagram_comments.json")
    assert _post(meta_client, body, signature=sign(body, SECRET)).status_code == 200
    others = [
        {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages"}]}]},
        {
            "object": "page",
            "entry": [{"id": "999", "changes": [{"field": "feed", "value": {"verb": "add"}}]}],
        },
        {"object": "instagram", "entry": "not a list"},
        {"entry": [None, 3, {"id": IG, "changes": [None, {"field": "comments", "value": []}]}]},
    ]
    for other in others:
        raw = json.dumps(other).encode()
        assert _post(meta_client, raw, signature=sign(raw, SECRET)).status_code == 200
    with factory() as s:
        stored = _messages(s, channels["instagram"])
        assert set(stored) == {"17860000000000001", "17860000000000002"}
        question, answer = stored["17860000000000001"], stored["17860000000000002"]
        assert question.kind == "comment" and question.direction == "inbound"
        assert question.parent_external_id == "17900000000000011"
        assert answer.kind == "reply" and answer.direction == "outbound"
        assert _thread(s, question) == _thread(s, answer) == "17900000000000011"
        assert not _messages(s, channels["facebook"])


def test_messenger_messages_join_the_polled_conversation(
    channels: dict[str, int], factory: sessionmaker[Session], meta_settings: Settings
) -> None:
    mock = respx.Router(base_url=GRAPH, assert_all_called=True)
    lookup = mock.get("/me/conversations").respond(json=_fixture("messenger_conversation.json"))
    build = _graph_factory(mock)
    delivery = deliver_meta(
        factory, settings=meta_settings, payload=_fixture("messenger.json"), connector_factory=build
    )
    assert len(delivery.new_message_ids) == 3 and lookup.call_count == 1  # one look-up per person
    params = dict(lookup.calls[0].request.url.params)
    assert params["platform"] == "messenger" and params["user_id"] == "7300000000000003"
    fb = channels["facebook"]
    with factory() as s:
        stored = _messages(s, fb)
        assert set(stored) == {"m_AbCdEf002", "m_AbCdEf003", "m_AbCdEf004"}  # the delivery receipt is skipped
        assert {_thread(s, m) for m in stored.values()} == {"conversation:t_10161234567890"}
        assert stored["m_AbCdEf002"].kind == "direct" and stored["m_AbCdEf002"].direction == "inbound"
        assert stored["m_AbCdEf003"].direction == "outbound"  # the echo of the Page's own reply
        assert stored["m_AbCdEf004"].text == "https://scontent.xx.fbcdn.net/v/receipt.jpg"
    # the poll of the same conversation stores only the message the webhook never saw
    mock.get(f"/{PAGE}/conversations").respond(
        json=json.loads((CONNECTOR_FIXTURES / "facebook" / "conversations.json").read_text())
    )
    channel_config = {"page_id": PAGE, "listen_comments": False, "listen_messages": True}
    with factory() as s:
        ch = s.get(Channel, fb)
        assert ch is not None
        ch.config = channel_config
        s.commit()
    outcome = poll_channel(factory, settings=meta_settings, channel_id=fb, connector_factory=build)
    assert outcome.error is None and outcome.stats.new == 1 and outcome.stats.duplicates == 1
    with factory() as s:
        stored = _messages(s, fb)
        assert {_thread(s, m) for m in stored.values()} == {"conversation:t_10161234567890"}


def test_instagram_mentions_and_messages_are_read_through_graph(
    channels: dict[str, int], factory: sessionmaker[Session], meta_settings: Settings
) -> None:
    mock = respx.Router(base_url=GRAPH, assert_all_called=True)

    def account(request: httpx.Request) -> httpx.Response:
        fields = request.url.params["fields"]
        if fields.startswith("mentioned_comment.comment_id(17894227972186120)"):
            return httpx.Response(200, json=_fixture("mentioned_comment.json"))
        assert fields.startswith("mentioned_media.media_id(17918195224117999)")
        return httpx.Response(200, json=_fixture("mentioned_media.json"))

    mock.get(f"/{IG}").mock(side_effect=account)
    mock.get("/me/conversations").respond(json=_fixture("instagram_conversation.json"))
    build = _graph_factory(mock)
    deliver_meta(
        factory, settings=meta_settings, payload=_fixture("instagram_mentions.json"), connector_factory=build
    )
    deliver_meta(
        factory, settings=meta_settings, payload=_fixture("instagram_messaging.json"), connector_factory=build
    )
    with factory() as s:
        stored = _messages(s, channels["instagram"])
        comment, caption = stored["17894227972186120"], stored["17918195224117999"]
        assert comment.kind == caption.kind == "mention"
        assert comment.text == "@lumencoffee best flat white in town"
        assert comment.url == "https://www.instagram.com/p/Cxyz123/"
        assert caption.text == "Morning ritual with @lumencoffee"
        message = stored["aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx"]
        assert message.kind == "direct" and message.text == "Do you ship to Lyon?"
        assert _thread(s, message) == "conversation:aWdfZAG06MTpJR01lc3NhZA2VUaHJlYWQ6MTc4NDE0"


def test_reading_skips_what_is_not_a_message() -> None:
    assert read_notification([]) == []
    assert read_notification({"object": "page"}) == []
    feed = read_notification(_fixture("page_feed.json"))
    assert [n.item.external_id for n in feed if n.item] == [
        "900000000000011_5000000001",
        "900000000000011_5000000003",
    ]
    assert feed[0].item is not None and feed[0].item.created_at.timestamp() == 1709632800
