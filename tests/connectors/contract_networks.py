"""Recorded networks for the connector contract suite: each one answers like the network's documented
API (bodies shaped as its reference shows them), through the HTTP layer the connector's real client
library uses (respx under httpx and the atproto SDK, responses under requests for Mastodon.py, tweepy and
praw, googleapiclient's HttpMock for YouTube).

A network keeps the posts it accepted, so a test can count them: a publish whose answer is lost (a
time-out after the request arrived, a 5xx after the POST was applied, an unreadable success) still
leaves its post on the network, as the real one would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import requests
import responses
import respx

from tending.config import Settings
from tending.connectors.bases import Connector
from tending.connectors.bluesky import BlueskyConnector
from tending.connectors.facebook import FacebookConnector
from tending.connectors.instagram import InstagramConnector
from tending.connectors.linkedin import LinkedInConnector
from tending.connectors.mastodon import MastodonConnector
from tending.connectors.reddit import RedditConnector
from tending.connectors.rss import RssConnector
from tending.connectors.x import XConnector
from tending.connectors.youtube import YouTubeConnector

FIX = Path(__file__).parent / "fixtures"
# Failure modes of a publish whose outcome the caller cannot know; the network applied the post each time.
LOST_ANSWERS = ("timeout", "5xx", "malformed")


def load(network: str, name: str) -> Any:
    return json.loads((FIX / network / name).read_text())


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Reply:
    """What the listening endpoint answers in an error case: status, headers and body bytes."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class RecordedNetwork:
    """One network's recorded API. Subclasses say how to build the connector, which request lists new
    items, and how the network stores and reports posts."""

    slug: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    # The next publish request is applied, then its answer is lost this way ("timeout", "5xx", "malformed").
    lose_next_answer: str | None = None
    # The listening endpoint answers this instead of its recorded page.
    listen_error: Reply | None = None
    # An item of the recorded pages that the contract answers (None: the connector cannot reply).
    reply_parent: str | None = None
    # A direct message of the recorded DM pages that the contract answers, and where the network must
    # deliver the answer (the person's id, or the conversation's where the network answers by conversation).
    direct_parent: str | None = None
    direct_recipient: str | None = None
    # The direct-message endpoint answers this instead of its recorded page.
    direct_error: Reply | None = None
    # Direct messages the network accepted: {"to": recipient or conversation, "text": ...}.
    direct_sent: list[dict[str, Any]] = field(default_factory=list)

    def connector(self) -> Connector:
        raise NotImplementedError

    def direct_connector(self) -> Connector:
        """The connector as set up to read and answer the recorded direct messages."""
        return self.connector()

    @contextmanager
    def running(self) -> Iterator[None]:
        raise NotImplementedError

    def unauthorized(self) -> Reply:
        """The network's documented answer to an expired or revoked token."""
        raise NotImplementedError

    def _take_loss(self) -> str | None:
        loss, self.lose_next_answer = self.lose_next_answer, None
        return loss


# -- transports --------------------------------------------------------------------------------------


def httpx_reply(reply: Reply) -> httpx.Response:
    return httpx.Response(reply.status, headers=reply.headers, content=reply.body)


def httpx_publish(
    network: RecordedNetwork, request: httpx.Request, apply: Callable[[], httpx.Response]
) -> httpx.Response:
    """Apply the publish, then answer, or lose the answer the way the test asked."""
    answer = apply()
    loss = network._take_loss()
    if loss == "timeout":
        raise httpx.ReadTimeout("the answer never came", request=request)
    if loss == "5xx":
        return httpx.Response(502, headers={"content-type": "text/html"}, content=b"<html>Bad Gateway</html>")
    if loss == "malformed":
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<html>ok</html>")
    return answer


def requests_publish(
    network: RecordedNetwork,
    request: requests.PreparedRequest,
    apply: Callable[[], tuple[int, dict[str, str], str]],
) -> tuple[int, dict[str, str], str]:
    answer = apply()
    loss = network._take_loss()
    if loss == "timeout":
        raise requests.exceptions.ReadTimeout("the answer never came", request=request)
    if loss == "5xx":
        return 502, {"content-type": "text/html"}, "<html>Bad Gateway</html>"
    if loss == "malformed":
        return 200, {"content-type": "text/html"}, "<html>ok</html>"
    return answer


def form(request: requests.PreparedRequest | httpx.Request) -> dict[str, str]:
    raw = request.content if isinstance(request, httpx.Request) else request.body
    text = raw.decode() if isinstance(raw, bytes) else str(raw or "")
    return {k: v[0] for k, v in parse_qs(text).items()}


# -- Mastodon (Mastodon.py over requests) --------------------------------------------------------------

MASTODON = "https://social.example"


@dataclass
class Mastodon(RecordedNetwork):
    slug: str = "mastodon"
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    reply_parent: str | None = "111000000000000101"
    direct_parent: str | None = "111000000000000201"
    direct_recipient: str | None = "bob"

    def connector(self) -> Connector:
        return MastodonConnector(config={"api_base_url": MASTODON}, credentials={"access_token": "tok"})

    def unauthorized(self) -> Reply:
        return Reply(401, {"content-type": "application/json"}, b'{"error": "The access token is invalid"}')

    def _status(self, text: str) -> dict[str, Any]:
        status = dict(load("mastodon", "status_published.json"))
        number = 110_000_000_000_000_000 + len(self.posts) + 1
        status.update(id=str(number), content=f"<p>{text}</p>", created_at=iso(datetime.now(UTC)))
        status["url"] = f"{MASTODON}/@lumen/{number}"
        return status

    def _post(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        fields = form(request)
        if fields.get("visibility") == "direct":  # delivered to the accounts it mentions
            status = self._status(fields.get("status", "")) | {"visibility": "direct"}
            self.direct_sent.append({"to": fields["status"].split()[0].lstrip("@"), "text": fields["status"]})
            return 200, {}, json.dumps(status)

        def apply() -> tuple[int, dict[str, str], str]:
            key = str(request.headers.get("Idempotency-Key") or "")
            if key and key in self.keys:  # Mastodon answers a repeated key with the first status
                return 200, {}, json.dumps(self.keys[key])
            status = self._status(form(request).get("status", ""))
            self.posts.append(status)
            if key:
                self.keys[key] = status
            return 200, {}, json.dumps(status)

        return requests_publish(self, request, apply)

    def _listen(self, fixture: str) -> Callable[[requests.PreparedRequest], tuple[int, dict[str, str], str]]:
        def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
            if self.listen_error:
                return self.listen_error.status, self.listen_error.headers, self.listen_error.body.decode()
            return 200, {}, json.dumps(load("mastodon", fixture))

        return answer

    def _conversations(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if self.direct_error:
            return self.direct_error.status, self.direct_error.headers, self.direct_error.body.decode()
        return self._listen("conversations_first.json")(request)

    @contextmanager
    def running(self) -> Iterator[None]:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add_callback("POST", f"{MASTODON}/api/v1/statuses", callback=self._post)
            mock.add_callback(
                "GET", f"{MASTODON}/api/v1/notifications", callback=self._listen("notifications_page1.json")
            )
            mock.add_callback("GET", f"{MASTODON}/api/v1/conversations/", callback=self._conversations)
            direct = load("mastodon", "conversations_first.json")[0]["last_status"]
            mock.get(f"{MASTODON}/api/v1/statuses/{direct['id']}", json=direct)
            mock.get(
                f"{MASTODON}/api/v1/statuses/111000000000000101", json=load("mastodon", "status_parent.json")
            )
            mock.get(
                f"{MASTODON}/api/v1/accounts/verify_credentials",
                json=load("mastodon", "verify_credentials.json"),
            )
            own = load("mastodon", "verify_credentials.json")["id"]
            mock.add_callback(
                "GET",
                f"{MASTODON}/api/v1/accounts/{own}/statuses",
                callback=lambda r: (200, {}, json.dumps(list(reversed(self.posts)))),
            )
            yield


# -- X (tweepy over requests) --------------------------------------------------------------------------

X_API = "https://api.twitter.com/2"
X_USER = "1500000000000000001"
X_DM_USER = "1500000000000000999"  # the brand of the recorded DM events
X_CREDENTIALS = {
    "consumer_key": "ck",
    "consumer_secret": "cs",
    "access_token": "at",
    "access_token_secret": "ats",
}


@dataclass
class X(RecordedNetwork):
    slug: str = "x"
    reply_parent: str | None = "1765100000000000200"
    direct_parent: str | None = f"{X_DM_USER}-2244994945/1765300000000000300"
    direct_recipient: str | None = "2244994945"

    def connector(self) -> Connector:
        return XConnector(config={"user_id": X_USER}, credentials=dict(X_CREDENTIALS))

    def direct_connector(self) -> Connector:
        return XConnector(config={"user_id": X_DM_USER}, credentials=dict(X_CREDENTIALS))

    def _dm_events(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if self.direct_error:
            return self.direct_error.status, self.direct_error.headers, self.direct_error.body.decode()
        page = load("x", "dm_events_p1.json")
        page["meta"].pop("next_token", None)  # one page
        return 200, {}, json.dumps(page)

    def _send_dm(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        participant = str(request.url).rsplit("/", 2)[-2]
        self.direct_sent.append({"to": participant, "text": json.loads(request.body or b"{}")["text"]})
        event = {"dm_conversation_id": f"{X_DM_USER}-{participant}", "dm_event_id": "1765300000000000400"}
        return 201, {}, json.dumps({"data": event})

    def unauthorized(self) -> Reply:
        body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
        return Reply(401, {"content-type": "application/problem+json"}, json.dumps(body).encode())

    def _post(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        def apply() -> tuple[int, dict[str, str], str]:
            text = json.loads(request.body or b"{}")["text"]
            number = str(1_800_000_000_000_000_000 + len(self.posts) + 1)
            tweet = {
                "id": number,
                "text": text,
                "edit_history_tweet_ids": [number],
                "created_at": iso(datetime.now(UTC)),
            }
            self.posts.append(tweet)
            return (
                201,
                {},
                json.dumps({"data": {k: tweet[k] for k in ("id", "text", "edit_history_tweet_ids")}}),
            )

        return requests_publish(self, request, apply)

    def _timeline(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        tweets = list(reversed(self.posts))
        meta: dict[str, Any] = {"result_count": len(tweets)}
        if tweets:
            meta |= {"newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"]}
        return 200, {}, json.dumps({"data": tweets, "meta": meta} if tweets else {"meta": meta})

    def _listen(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if self.listen_error:
            return self.listen_error.status, self.listen_error.headers, self.listen_error.body.decode()
        return 200, {}, json.dumps(load("x", "mentions_p1.json"))

    @contextmanager
    def running(self) -> Iterator[None]:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add_callback("POST", f"{X_API}/tweets", callback=self._post)
            mock.add_callback("GET", f"{X_API}/users/{X_USER}/tweets", callback=self._timeline)
            mock.add_callback("GET", f"{X_API}/users/{X_USER}/mentions", callback=self._listen)
            mock.add_callback("GET", f"{X_API}/dm_events", callback=self._dm_events)
            mock.add_callback(
                "POST", re.compile(rf"^{X_API}/dm_conversations/with/\d+/messages$"), callback=self._send_dm
            )
            yield


# -- Reddit (praw over requests) -----------------------------------------------------------------------

REDDIT = "https://oauth.reddit.com"


@dataclass
class Reddit(RecordedNetwork):
    slug: str = "reddit"
    reply_parent: str | None = "t1_kq1aaa1"
    direct_parent: str | None = "t4_1xm7p03"
    direct_recipient: str | None = "t4_1xm7p03"  # Reddit answers a message in its chain

    def _comment(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        fields = form(request)
        if fields.get("thing_id", "").startswith("t4_"):
            self.direct_sent.append({"to": fields["thing_id"], "text": fields.get("text", "")})
            return 200, {}, json.dumps(load("reddit", "message_created.json"))
        self.posts.append({"id": "kq3ccc9", "name": "t1_kq3ccc9", "parent": form(request).get("thing_id")})
        return 200, {}, json.dumps(load("reddit", "comment_created.json"))

    def connector(self) -> Connector:
        return RedditConnector(
            config={"subreddit": "LumenCoffee", "username": "lumen_official"},
            credentials={
                "client_id": "app",
                "client_secret": "s",
                "username": "lumen_official",
                "password": "p",
            },
        )

    def unauthorized(self) -> Reply:
        headers = {
            "content-type": "application/json",
            "www-authenticate": 'Bearer realm="reddit", error="invalid_token"',
        }
        return Reply(401, headers, b'{"message": "Unauthorized", "error": 401}')

    def _post(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        def apply() -> tuple[int, dict[str, str], str]:
            fields = form(request)
            base36 = f"1c{len(self.posts) + 1:04d}"
            self.posts.append(
                {
                    "id": base36,
                    "name": f"t3_{base36}",
                    "title": fields.get("title", ""),
                    "selftext": fields.get("text", ""),
                    "subreddit": fields.get("sr", ""),
                    "created_utc": datetime.now(UTC).timestamp(),
                    "author": "lumen_official",
                }
            )
            data = {
                "url": f"https://www.reddit.com/r/LumenCoffee/comments/{base36}/",
                "id": base36,
                "name": f"t3_{base36}",
            }
            return 200, {}, json.dumps({"json": {"errors": [], "data": data}})

        return requests_publish(self, request, apply)

    def _submitted(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        children = [{"kind": "t3", "data": post} for post in reversed(self.posts)]
        listing = {
            "kind": "Listing",
            "data": {"after": None, "dist": len(children), "children": children, "before": None},
        }
        return 200, {}, json.dumps(listing)

    def _listen(self, fixture: str) -> Callable[[requests.PreparedRequest], tuple[int, dict[str, str], str]]:
        def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
            if self.listen_error:
                return self.listen_error.status, self.listen_error.headers, self.listen_error.body.decode()
            return 200, {}, json.dumps(load("reddit", fixture))

        return answer

    def _inbox(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if self.direct_error:
            return self.direct_error.status, self.direct_error.headers, self.direct_error.body.decode()
        return 200, {}, json.dumps(load("reddit", "inbox_messages.json"))

    @contextmanager
    def running(self) -> Iterator[None]:
        import prawcore.sessions

        sleep = prawcore.sessions.time.sleep
        prawcore.sessions.time.sleep = lambda _s: None  # prawcore's own pauses between retries of a GET
        try:
            with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
                mock.post(
                    "https://www.reddit.com/api/v1/access_token",
                    json={"access_token": "tok", "token_type": "bearer", "expires_in": 86400, "scope": "*"},
                )
                mock.add_callback("POST", f"{REDDIT}/api/submit/", callback=self._post)
                mock.add_callback("POST", f"{REDDIT}/api/comment/", callback=self._comment)
                mock.add_callback("GET", f"{REDDIT}/user/lumen_official/submitted", callback=self._submitted)
                mock.add_callback(
                    "GET", f"{REDDIT}/r/LumenCoffee/comments", callback=self._listen("comments_newest.json")
                )
                mock.add_callback(
                    "GET", f"{REDDIT}/r/LumenCoffee/new", callback=self._listen("new_posts.json")
                )
                mock.add_callback("GET", f"{REDDIT}/message/mentions", callback=self._listen("mentions.json"))
                mock.add_callback("GET", f"{REDDIT}/message/inbox", callback=self._inbox)
                for path in ("message/comments", "message/selfreply"):
                    mock.add_callback("GET", f"{REDDIT}/{path}", callback=self._listen("empty.json"))
                mock.get(f"{REDDIT}/api/user_data_by_account_ids", json=load("reddit", "user_data.json"))
                yield
        finally:
            prawcore.sessions.time.sleep = sleep


# -- Facebook and Instagram (Graph API over httpx) -----------------------------------------------------

GRAPH = f"https://graph.facebook.com/{Settings().graph_api_version}"
PAGE = "104000000000001"
IG_USER = "17841400000000001"
IG_DM_USER = "17841400000009999"  # the account of the recorded Instagram conversations


def graph_error(status: int, code: int, message: str, subcode: int | None = None) -> Reply:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbC123",
    }
    if subcode:
        error["error_subcode"] = subcode
    return Reply(status, {"content-type": "application/json"}, json.dumps({"error": error}).encode())


def graph_direct_routes(network: RecordedNetwork, mock: respx.Router, fixture: str) -> None:
    """Messenger / Instagram Messaging: the Page's conversations, a look-up of each recorded message (the
    person wrote two hours ago, inside Meta's 24-hour window) and the Send API."""
    page = load(fixture, "conversations.json")

    def conversations(request: httpx.Request) -> httpx.Response:
        if network.direct_error:
            return httpx_reply(network.direct_error)
        return httpx.Response(200, json=page)

    def send(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        recipient = body["recipient"]["id"]
        network.direct_sent.append({"to": recipient, "text": body["message"]["text"]})
        message_id = f"m_sent{len(network.direct_sent)}"
        return httpx.Response(200, json={"recipient_id": recipient, "message_id": message_id})

    recent = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    for conversation in page["data"]:
        for message in conversation["messages"]["data"]:
            found = {k: message[k] for k in ("id", "from", "to")} | {"created_time": recent}
            mock.get(f"{GRAPH}/{message['id']}").mock(return_value=httpx.Response(200, json=found))
    mock.get(f"{GRAPH}/{PAGE}/conversations").mock(side_effect=conversations)
    mock.post(f"{GRAPH}/{PAGE}/messages").mock(side_effect=send)


@dataclass
class Facebook(RecordedNetwork):
    slug: str = "facebook"
    reply_parent: str | None = f"{PAGE}_5000000001"
    direct_parent: str | None = "m_AbCdEf002"
    direct_recipient: str | None = "7300000000000003"

    def connector(self) -> Connector:
        return FacebookConnector(config={"page_id": PAGE}, credentials={"page_access_token": "EAAtok"})

    def unauthorized(self) -> Reply:
        return graph_error(400, 190, "Error validating access token: Session has expired.", 463)

    def _post(self, request: httpx.Request) -> httpx.Response:
        def apply() -> httpx.Response:
            post_id = f"{PAGE}_{9_000_000 + len(self.posts) + 1}"
            self.posts.append(
                {
                    "id": post_id,
                    "message": form(request).get("message", ""),
                    "created_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    "permalink_url": f"https://www.facebook.com/{post_id}",
                }
            )
            return httpx.Response(200, json={"id": post_id})

        return httpx_publish(self, request, apply)

    def _comment(self, request: httpx.Request) -> httpx.Response:
        comment = {"id": f"5000000001_{700 + len(self.posts)}", "message": form(request).get("message", "")}
        self.posts.append(comment)
        return httpx.Response(200, json={"id": comment["id"]})

    def _listen(self, request: httpx.Request) -> httpx.Response:
        if self.listen_error:
            return httpx_reply(self.listen_error)
        return httpx.Response(200, json=load("facebook", "feed_latest.json"))

    @contextmanager
    def running(self) -> Iterator[None]:
        with respx.mock(assert_all_called=False) as mock:
            mock.post(f"{GRAPH}/{PAGE}/feed").mock(side_effect=self._post)
            mock.post(f"{GRAPH}/{PAGE}_5000000001/comments").mock(side_effect=self._comment)
            mock.get(f"{GRAPH}/{PAGE}/posts").mock(
                side_effect=lambda r: httpx.Response(200, json={"data": list(reversed(self.posts))})
            )
            mock.get(f"{GRAPH}/{PAGE}/feed").mock(side_effect=self._listen)
            graph_direct_routes(self, mock, "facebook")
            yield


@dataclass
class Instagram(RecordedNetwork):
    slug: str = "instagram"
    containers: dict[str, str] = field(default_factory=dict)
    reply_parent: str | None = "17950000000000201"
    direct_parent: str | None = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDA5OTk5OjAwMg"
    direct_recipient: str | None = "6350000000000021"

    def _reply(self, request: httpx.Request) -> httpx.Response:
        reply = {"id": f"1796000000000{len(self.posts):04d}", "text": form(request).get("message", "")}
        self.posts.append(reply)
        return httpx.Response(200, json={"id": reply["id"]})

    def connector(self) -> Connector:
        return InstagramConnector(config={"ig_user_id": IG_USER}, credentials={"access_token": "EAAtok"})

    def direct_connector(self) -> Connector:
        """The account of the recorded conversations, with its linked Page (Instagram Messaging)."""
        return InstagramConnector(
            config={"ig_user_id": IG_DM_USER, "page_id": PAGE}, credentials={"access_token": "EAAtok"}
        )

    def unauthorized(self) -> Reply:
        return graph_error(400, 190, "Error validating access token: The session has been invalidated.", 460)

    def _container(self, request: httpx.Request) -> httpx.Response:
        container = str(17_900_000_000_000_000 + len(self.containers) + 1)
        self.containers[container] = form(request).get("caption", "")
        return httpx.Response(200, json={"id": container})

    def _publish(self, request: httpx.Request) -> httpx.Response:
        def apply() -> httpx.Response:
            caption = self.containers.pop(form(request)["creation_id"])
            media_id = str(17_950_000_000_000_000 + len(self.posts) + 1)
            self.posts.append(
                {
                    "id": media_id,
                    "caption": caption,
                    "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    "permalink": f"https://www.instagram.com/p/C{media_id[-6:]}/",
                }
            )
            return httpx.Response(200, json={"id": media_id})

        return httpx_publish(self, request, apply)

    def _listen(self, request: httpx.Request) -> httpx.Response:
        if self.listen_error:
            return httpx_reply(self.listen_error)
        return httpx.Response(200, json=load("instagram", "media_p1.json"))

    @contextmanager
    def running(self) -> Iterator[None]:
        with respx.mock(assert_all_called=False) as mock:
            mock.post(f"{GRAPH}/{IG_USER}/media").mock(side_effect=self._container)
            mock.post(f"{GRAPH}/{IG_USER}/media_publish").mock(side_effect=self._publish)
            mock.get(f"{GRAPH}/17950000000000201").mock(
                return_value=httpx.Response(200, json={"id": "17950000000000201", "username": "maya.brews"})
            )
            mock.post(f"{GRAPH}/17950000000000201/replies").mock(side_effect=self._reply)
            mock.get(f"{GRAPH}/{IG_USER}/media").mock(side_effect=self._media)
            mock.get(f"{GRAPH}/{IG_USER}/content_publishing_limit").mock(
                return_value=httpx.Response(200, json=load("instagram", "content_publishing_limit.json"))
            )
            mock.get(url__regex=rf"^{GRAPH}/179\d+(\?.*)?$").mock(side_effect=self._container_status)
            graph_direct_routes(self, mock, "instagram")
            yield

    def _container_status(self, request: httpx.Request) -> httpx.Response:
        container = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, json={"status_code": "FINISHED", "id": container})

    def _media(self, request: httpx.Request) -> httpx.Response:
        if "caption,timestamp,permalink" in request.url.params.get("fields", ""):
            return httpx.Response(200, json={"data": list(reversed(self.posts))})
        return self._listen(request)


# -- LinkedIn (versioned REST over httpx) --------------------------------------------------------------

LINKEDIN = "https://api.linkedin.com/rest"
ORG = "2414183"


@dataclass
class LinkedIn(RecordedNetwork):
    slug: str = "linkedin"
    reply_parent: str | None = "urn:li:share:7170000000000000001"

    def _comment(self, request: httpx.Request) -> httpx.Response:
        self.posts.append(json.loads(request.content))
        return httpx.Response(201, json=load("linkedin", "created_reply.json"))

    def connector(self) -> Connector:
        return LinkedInConnector(config={"organization_id": ORG}, credentials={"access_token": "AQVtok"})

    def unauthorized(self) -> Reply:
        return Reply(
            401, {"content-type": "application/json"}, json.dumps(load("linkedin", "error_401.json")).encode()
        )

    def _post(self, request: httpx.Request) -> httpx.Response:
        def apply() -> httpx.Response:
            body = json.loads(request.content)
            urn = f"urn:li:share:{7_200_000_000_000_000_000 + len(self.posts) + 1}"
            now_ms = int(datetime.now(UTC).timestamp() * 1000)
            self.posts.append(
                {
                    "id": urn,
                    "author": body["author"],
                    "commentary": body["commentary"],
                    "visibility": "PUBLIC",
                    "lifecycleState": "PUBLISHED",
                    "createdAt": now_ms,
                    "publishedAt": now_ms,
                    "lastModifiedAt": now_ms,
                }
            )
            return httpx.Response(201, headers={"x-restli-id": urn})

        return httpx_publish(self, request, apply)

    def _posts(self, request: httpx.Request) -> httpx.Response:
        if self.listen_error:
            return httpx_reply(self.listen_error)
        page = load("linkedin", "posts.json")
        page["elements"] = list(reversed(self.posts)) + page["elements"]
        return httpx.Response(200, json=page)

    @contextmanager
    def running(self) -> Iterator[None]:
        with respx.mock(assert_all_called=False) as mock:
            mock.post(f"{LINKEDIN}/posts").mock(side_effect=self._post)
            mock.post(url__startswith=f"{LINKEDIN}/socialActions").mock(side_effect=self._comment)
            mock.get(url__startswith=f"{LINKEDIN}/posts").mock(side_effect=self._posts)
            mock.get(url__regex=r"^https://api\.linkedin\.com/rest/socialActions(\?.*)?$").mock(
                return_value=httpx.Response(200, json=load("linkedin", "social_actions_1.json"))
            )
            mock.get(url__startswith=f"{LINKEDIN}/people").mock(
                return_value=httpx.Response(200, json=load("linkedin", "people.json"))
            )
            mock.get(url__startswith=f"{LINKEDIN}/socialActions").mock(
                return_value=httpx.Response(200, json=load("linkedin", "comments_share_p2.json"))
            )
            yield


# -- Bluesky (the atproto SDK over httpx) --------------------------------------------------------------

XRPC = "https://bsky.social/xrpc"
BSKY_DID = "did:plc:brand000"


@dataclass
class Bluesky(RecordedNetwork):
    slug: str = "bluesky"
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    reply_parent: str | None = "at://did:plc:bob222/app.bsky.feed.post/3kaaa0000002"
    direct_parent: str | None = "3ksbzx7jexx2c/3ksbzy2msg002"
    direct_recipient: str | None = "3ksbzx7jexx2c"  # chat answers go to the conversation

    def connector(self) -> Connector:
        return BlueskyConnector(
            credentials={"handle": "lumen.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}
        )

    def unauthorized(self) -> Reply:
        return Reply(
            400,
            {"content-type": "application/json"},
            b'{"error": "ExpiredToken", "message": "Token has expired"}',
        )

    def _create(self, request: httpx.Request) -> httpx.Response:
        def apply() -> httpx.Response:
            body = json.loads(request.content)
            rkey = body.get("rkey") or f"3l{len(self.records):011d}"
            if rkey in self.records:  # a repository holds one record per key
                return httpx.Response(
                    400, json={"error": "InvalidRequest", "message": "Record already exists"}
                )
            uri = f"at://{BSKY_DID}/app.bsky.feed.post/{rkey}"
            cid = f"bafyreib{len(self.records):040d}"
            self.records[rkey] = {"uri": uri, "cid": cid, "value": body["record"]}
            self.posts.append(self.records[rkey])
            return httpx.Response(200, json={"uri": uri, "cid": cid, "validationStatus": "valid"})

        return httpx_publish(self, request, apply)

    def _get_record(self, request: httpx.Request) -> httpx.Response:
        rkey = request.url.params.get("rkey", "")
        if rkey not in self.records:
            message = f"Could not locate record: at://{BSKY_DID}/app.bsky.feed.post/{rkey}"
            return httpx.Response(400, json={"error": "RecordNotFound", "message": message})
        return httpx.Response(200, json=self.records[rkey])

    def _listen(self, request: httpx.Request) -> httpx.Response:
        if self.listen_error:
            return httpx_reply(self.listen_error)
        page = load("bluesky", "notifications_page1.json")
        page.pop("cursor", None)  # one page
        return httpx.Response(200, json=page)

    def _convos(self, request: httpx.Request) -> httpx.Response:
        if self.direct_error:
            return httpx_reply(self.direct_error)
        return httpx.Response(200, json=load("bluesky", "list_convos.json"))

    def _send_message(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.direct_sent.append({"to": body["convoId"], "text": body["message"]["text"]})
        message = {
            "id": f"3ksbzy2msg{100 + len(self.direct_sent)}",
            "rev": "2222222xyzn4q",
            "text": body["message"]["text"],
            "sender": {"did": BSKY_DID},
            "sentAt": iso(datetime.now(UTC)),
        }
        return httpx.Response(200, json=message)

    @contextmanager
    def running(self) -> Iterator[None]:
        from test_bluesky import _jwt

        session = {
            "did": BSKY_DID,
            "handle": "lumen.bsky.social",
            "accessJwt": _jwt("com.atproto.appPass"),
            "refreshJwt": _jwt("com.atproto.refresh"),
            "active": True,
        }
        with respx.mock(assert_all_called=False) as mock:
            mock.post(f"{XRPC}/com.atproto.server.createSession").mock(
                return_value=httpx.Response(200, json=session)
            )
            mock.post(f"{XRPC}/com.atproto.repo.createRecord").mock(side_effect=self._create)
            mock.get(f"{XRPC}/com.atproto.repo.getRecord").mock(side_effect=self._get_record)
            mock.get(f"{XRPC}/app.bsky.feed.getPosts").mock(
                return_value=httpx.Response(200, json=load("bluesky", "get_posts_parent.json"))
            )
            mock.get(f"{XRPC}/app.bsky.notification.listNotifications").mock(side_effect=self._listen)
            mock.get(f"{XRPC}/chat.bsky.convo.listConvos").mock(side_effect=self._convos)
            mock.get(f"{XRPC}/chat.bsky.convo.getMessages").mock(
                return_value=httpx.Response(200, json=load("bluesky", "get_messages.json"))
            )
            mock.post(f"{XRPC}/chat.bsky.convo.sendMessage").mock(side_effect=self._send_message)
            mock.get(f"{XRPC}/app.bsky.actor.getProfiles").mock(
                return_value=httpx.Response(200, json=load("bluesky", "get_profiles.json"))
            )
            yield


# -- RSS (feeds over httpx) ----------------------------------------------------------------------------

FEED = "https://blog.example/feed.xml"
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Lumen blog</title><id>urn:uuid:lumen-blog</id>
<updated>2026-05-01T09:00:00Z</updated>
<entry><title>Summer roast</title><id>urn:uuid:post-1</id><link href="https://blog.example/summer"/>
<updated>2026-05-01T09:00:00Z</updated><summary>Bright and citrus.</summary></entry>
</feed>"""


@dataclass
class Rss(RecordedNetwork):
    slug: str = "rss"

    def connector(self) -> Connector:
        return RssConnector(config={"feed_url": FEED})

    def unauthorized(self) -> Reply:
        return Reply(401, {"www-authenticate": 'Basic realm="feed"'})

    def _listen(self, request: httpx.Request) -> httpx.Response:
        if self.listen_error:
            return httpx_reply(self.listen_error)
        return httpx.Response(200, headers={"content-type": "application/atom+xml"}, content=ATOM)

    @contextmanager
    def running(self) -> Iterator[None]:
        with respx.mock(assert_all_called=False) as mock:
            mock.get(FEED).mock(side_effect=self._listen)
            yield


# -- YouTube (google-api-python-client over httplib2) --------------------------------------------------


class _YouTubeHttp:
    """An httplib2 stand-in: answers each request from the network's current state (HttpMock's shape)."""

    def __init__(self, network: YouTube) -> None:
        self.network = network

    def close(self) -> None:
        """httplib2.Http has connections to close; this one has none."""

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **_: Any) -> Any:
        from httplib2 import Response

        path = urlsplit(uri).path
        if method == "POST" and path.endswith("/comments"):
            self.network.posts.append(json.loads(body))
            return Response({"status": "200"}), json.dumps(load("youtube", "inserted_reply.json")).encode()
        error = self.network.listen_error
        if error is not None and "commentThreads" in path:
            return Response({"status": str(error.status), **error.headers}), error.body
        if "commentThreads" in path:
            page = load("youtube", "threads_latest.json")
            page.pop("nextPageToken", None)  # one page
            return Response({"status": "200"}), json.dumps(page).encode()
        if path.endswith("/channels"):
            return Response({"status": "200"}), json.dumps(load("youtube", "author_channels.json")).encode()
        return Response({"status": "200"}), b'{"kind": "youtube#commentListResponse", "items": []}'


@dataclass
class YouTube(RecordedNetwork):
    slug: str = "youtube"
    reply_parent: str | None = "UgzThread0001"

    def connector(self) -> Connector:
        return YouTubeConnector(
            config={"channel_id": "UCbrand00000000000000000"},
            credentials={"access_token": "ya29.tok"},
            http=_YouTubeHttp(self),
        )

    def unauthorized(self) -> Reply:
        body = {
            "error": {
                "code": 401,
                "message": "Request had invalid authentication credentials.",
                "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError"}],
                "status": "UNAUTHENTICATED",
            }
        }
        return Reply(401, {"content-type": "application/json"}, json.dumps(body).encode())

    @contextmanager
    def running(self) -> Iterator[None]:
        yield


NETWORKS: dict[str, type[RecordedNetwork]] = {
    "mastodon": Mastodon,
    "x": X,
    "reddit": Reddit,
    "facebook": Facebook,
    "instagram": Instagram,
    "linkedin": LinkedIn,
    "bluesky": Bluesky,
    "rss": Rss,
    "youtube": YouTube,
}
