"""Messenger and Instagram direct messages: conversations in, Send API answers within Meta's windows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import respx
from graph_helpers import client_for, load, query, router

from tending.connectors.bases import NotPermitted
from tending.connectors.bases.messages import DirectMessageCapability, MessagingWindowClosed
from tending.connectors.facebook import FacebookConnector
from tending.connectors.instagram import InstagramConnector

PAGE = "104000000000001"
IG_USER = "17841400000009999"
MAYA = "6350000000000021"
CHEN = "7300000000000003"
IG_MESSAGE = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDA5OTk5OjAwMg"


def _ig(mock: respx.Router, **config: object) -> InstagramConnector:
    return InstagramConnector(
        config={"ig_user_id": IG_USER, "page_id": PAGE, **config},
        credentials={"access_token": "EAAB-page-token"},
        http=client_for(mock),
    )


def _fb(mock: respx.Router, **config: object) -> FacebookConnector:
    return FacebookConnector(
        config={"page_id": PAGE, **config},
        credentials={"page_access_token": "EAAB-page-token"},
        http=client_for(mock),
    )


def _ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_instagram_conversations_become_direct_threads_beside_comments() -> None:
    mock = router()
    mock.get(f"/{IG_USER}/media").respond(json={"data": []})
    conversations = mock.get(f"/{PAGE}/conversations").respond(json=load("instagram", "conversations.json"))
    result = _ig(mock, listen_messages=True).fetch_since({})
    ours, theirs = result.items
    assert (ours.direction, theirs.direction) == ("outbound", "inbound")
    assert theirs.kind == "direct" and theirs.text == "Is the oat latte vegan?"
    assert theirs.thread_external_id is not None and theirs.thread_external_id.startswith("conversation:aWdf")
    assert theirs.author is not None and (theirs.author.external_id, theirs.author.handle) == (
        MAYA,
        "maya.bakes",
    )
    assert query(conversations.calls.last.request)["platform"] == "instagram"
    assert result.cursor["direct"]["floor"]["ids"] == [IG_MESSAGE]


def test_instagram_second_poll_delivers_nothing_twice() -> None:
    mock = router()
    mock.get(f"/{IG_USER}/media").respond(json={"data": []})
    mock.get(f"/{PAGE}/conversations").respond(json=load("instagram", "conversations.json"))
    connector = _ig(mock, listen_messages=True)
    first = connector.fetch_since({})
    again = connector.fetch_since(first.cursor)
    assert len(first.items) == 2 and again.items == []


def test_instagram_messages_need_the_linked_page() -> None:
    with pytest.raises(ValueError, match="page_id"):
        InstagramConnector(config={"ig_user_id": IG_USER, "listen_messages": True})
    with pytest.raises(NotPermitted, match="page_id"):
        InstagramConnector(config={"ig_user_id": IG_USER}).reply_direct(parent_external_id="aWdf", text="Hi")


def test_instagram_answer_inside_24_hours_is_a_standard_response() -> None:
    mock = router()
    mock.get(f"/{IG_MESSAGE}").respond(
        json={"id": IG_MESSAGE, "from": {"username": "maya.bakes", "id": MAYA}, "created_time": _ago(hours=2)}
    )
    sent = mock.post(f"/{PAGE}/messages").respond(json={"recipient_id": MAYA, "message_id": "aWdfZAG1fbmV3"})
    answer = _ig(mock).reply(parent_external_id=IG_MESSAGE, text="Yes, it is!")
    assert answer.external_id == "aWdfZAG1fbmV3"
    assert json.loads(sent.calls.last.request.content) == {
        "recipient": {"id": MAYA},
        "messaging_type": "RESPONSE",
        "message": {"text": "Yes, it is!"},
    }


def test_messenger_answer_after_24_hours_uses_the_human_agent_tag() -> None:
    mock = router()
    mock.get("/m_AbCdEf002").respond(
        json={
            "id": "m_AbCdEf002",
            "from": {"id": CHEN, "name": "Chen Wei"},
            "to": {"data": [{"id": PAGE, "name": "Lumen Coffee"}]},
            "created_time": _ago(days=3),
        }
    )
    sent = mock.post(f"/{PAGE}/messages").respond(json={"recipient_id": CHEN, "message_id": "m_Late1"})
    _fb(mock).reply(parent_external_id="m_AbCdEf002", text="Sorry for the wait")
    body = json.loads(sent.calls.last.request.content)
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_without_the_human_agent_feature_no_tag_is_sent() -> None:
    mock = router()
    mock.get("/m_AbCdEf002").respond(
        json={"id": "m_AbCdEf002", "from": {"id": CHEN}, "created_time": _ago(days=3)}
    )
    sent = mock.post(f"/{PAGE}/messages").respond(json={"recipient_id": CHEN, "message_id": "m_Late2"})
    _fb(mock, human_agent_tag=False).reply(parent_external_id="m_AbCdEf002", text="Hello again")
    body = json.loads(sent.calls.last.request.content)
    assert body["messaging_type"] == "RESPONSE" and "tag" not in body


@pytest.mark.parametrize("connector", ["facebook", "instagram"])
def test_a_closed_window_is_explained_not_reported_as_permissions(connector: str) -> None:
    mock = router()
    parent = "m_Old" if connector == "facebook" else IG_MESSAGE
    mock.get(f"/{parent}").respond(json={"id": parent, "from": {"id": CHEN}, "created_time": _ago(days=9)})
    mock.post(f"/{PAGE}/messages").respond(400, json=load("facebook", "error_outside_window.json"))
    built = _fb(mock) if connector == "facebook" else _ig(mock)
    with pytest.raises(MessagingWindowClosed) as caught:
        built.reply(parent_external_id=parent, text="Still there?")
    assert not isinstance(caught.value, NotPermitted) and not caught.value.retryable
    assert "more than 24 hours old" in str(caught.value) and "when they write again" in str(caught.value)


def test_both_meta_connectors_declare_direct_messages() -> None:
    assert issubclass(FacebookConnector, DirectMessageCapability)
    assert issubclass(InstagramConnector, DirectMessageCapability)
    assert FacebookConnector.messaging_window.standard == timedelta(hours=24)
