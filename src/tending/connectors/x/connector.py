"""X (Twitter): mentions in; replies, posts and follower counts out.

Reading needs a paid API tier (Basic or above): X's free tier can post but its mentions timeline answers
403, raised as NotPermitted with that explanation.

The mentions timeline pages from the newest post back to `since_id`. A poll keeps `since_id` fixed while
it follows `pagination_token` (one page per call, so a stopped walk resumes where it was) and raises it
to the newest id seen only when the walk ends. Post ids grow with time, so they order items exactly.
X has no idempotency key for posts: a publish retried after a lost answer can post twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import tweepy

from tending.connectors.bases import (
    AuthorProfile,
    Connector,
    FetchResult,
    InboundItem,
    MalformedResponse,
    MetricPoint,
    MetricsCapability,
    PublishCapability,
    SentItem,
)
from tending.connectors.bases.messages import CURSOR_KEY as DIRECT_CURSOR
from tending.connectors.bases.messages import DirectMessageCapability, with_direct
from tending.connectors.bases.renewal import Renewing
from tending.connectors.text import same_post
from tending.connectors.watermark import parse_time
from tending.connectors.x import messages, tokens
from tending.connectors.x.client import NETWORK, call, make_client
from tending.connectors.x.config import XConfig
from tending.connectors.x.media import MAX_IMAGES, upload_images
from tending.connectors.x.search import XSearching

TWEET_FIELDS = [
    "created_at",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "lang",
    "note_tweet",
]
USER_FIELDS = ["created_at", "public_metrics", "profile_image_url", "description", "verified"]
_DEFAULT_AVATAR_MARK = "default_profile_images"


def _id_key(value: str | None) -> int:
    return int(value) if value and value.isdigit() else -1


def _newer(a: str | None, b: str | None) -> str | None:
    return a if _id_key(a) >= _id_key(b) else b


def _profile(user: dict[str, Any]) -> AuthorProfile:
    metrics = user.get("public_metrics") or {}
    avatar = str(user.get("profile_image_url") or "")
    return AuthorProfile(
        external_id=str(user["id"]),
        handle=str(user.get("username") or ""),
        name=str(user.get("name") or ""),
        account_created_at=parse_time(user.get("created_at")),
        followers=metrics.get("followers_count"),
        following=metrics.get("following_count"),
        posts_count=metrics.get("tweet_count"),
        avatar_is_default=(_DEFAULT_AVATAR_MARK in avatar) if avatar else None,
        bio=user.get("description"),
        verified=user.get("verified"),
    )


class XConnector(
    Connector, PublishCapability, MetricsCapability, DirectMessageCapability, Renewing, XSearching
):
    """Mentions need a paid X API tier (Basic or above); the free tier can only post and reply."""

    slug = "x"
    title = "X (Twitter)"
    description = "Mentions of an X account (paid API tier); replies, posts and follower counts."
    config_model = XConfig
    config: XConfig

    # Built on first use, per connector.
    _client: tweepy.Client | None = None
    _user_auth: bool = False

    @property
    def client(self) -> tweepy.Client:
        if self._client is None:
            renewing = not self._user_auth_keys() and tokens.can_renew(self.credentials)
            if renewing and self.access_expired():
                self.save_credentials(tokens.renew(self.credentials, timeout_s=self.config.request_timeout_s))
            self._client, self._user_auth = make_client(
                credentials=self.credentials, timeout_s=self.config.request_timeout_s
            )
            if renewing:
                self._client.session = tokens.RenewingSession(
                    self.config.request_timeout_s, renew_token=self._renew_token
                )
        return self._client

    def _user_auth_keys(self) -> bool:
        return bool(self.credentials.get("access_token_secret"))

    def _renew_token(self) -> str:
        """After a 401: a new OAuth 2.0 access token, stored, and used by the client from now on."""
        self.save_credentials(tokens.renew(self.credentials, timeout_s=self.config.request_timeout_s))
        token = self.credentials[tokens.ACCESS]
        if self._client is not None:
            self._client.bearer_token = token
        return token

    def close(self) -> None:
        if self._client is not None:
            self._client.session.close()
        self._client = None

    # -- listening --------------------------------------------------------------------------------

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        """Raises NotPermitted on X's free tier, which cannot read mentions (Basic or above can)."""
        mentions = self._fetch_mentions({k: v for k, v in cursor.items() if k != DIRECT_CURSOR})
        return with_direct(self, mentions, cursor, listen=self.config.listen_messages)

    def _fetch_mentions(self, cursor: dict[str, Any]) -> FetchResult:
        since_id = cursor.get("since_id")
        token = cursor.get("pagination_token")
        fresh = since_id is None and token is None
        client = self.client
        page = call(
            lambda: client.get_users_mentions(
                self.config.user_id,
                since_id=since_id,
                pagination_token=token,
                max_results=self.config.page_size,
                expansions=["author_id"],
                tweet_fields=TWEET_FIELDS,
                user_fields=USER_FIELDS,
                user_auth=self._user_auth,
            ),
            what="mentions",
        )
        tweets = page.get("data") or []
        users = (page.get("includes") or {}).get("users") or []
        meta = page.get("meta") or {}
        if not isinstance(tweets, list) or not isinstance(users, list) or not isinstance(meta, dict):
            raise MalformedResponse("mentions: unexpected shape", network=NETWORK)
        profiles = {str(u["id"]): _profile(u) for u in users if isinstance(u, dict) and u.get("id")}
        items = [self._item(t, profiles) for t in tweets]
        items.sort(key=lambda it: _id_key(it.external_id))
        top = cursor.get("top_id")
        for item in items:
            top = _newer(item.external_id, top)
        next_token = meta.get("next_token")
        new_cursor: dict[str, Any]
        if next_token and not (fresh and self.config.start == "latest"):
            new_cursor = {"pagination_token": str(next_token), "top_id": top}
            if since_id is not None:
                new_cursor["since_id"] = since_id
        else:
            newest = _newer(top, since_id)
            new_cursor = {"since_id": newest} if newest is not None else {}
        return FetchResult(items=items, cursor=new_cursor, has_more="pagination_token" in new_cursor)

    def _item(self, tweet: Any, profiles: dict[str, AuthorProfile]) -> InboundItem:
        if not isinstance(tweet, dict) or not tweet.get("id") or not tweet.get("text"):
            raise MalformedResponse("mentions: a post without id or text", network=NETWORK)
        created = parse_time(tweet.get("created_at"))
        if created is None:
            raise MalformedResponse("mentions: a post without created_at", network=NETWORK)
        replied_to = next(
            (str(r["id"]) for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"),
            None,
        )
        author = profiles.get(str(tweet.get("author_id")))
        note = tweet.get("note_tweet") or {}
        language = tweet.get("lang")
        handle = author.handle if author and author.handle else "i/web"
        return InboundItem(
            external_id=str(tweet["id"]),
            kind="reply" if replied_to else "mention",
            text=str(note.get("text") or tweet["text"]),
            created_at=created,
            author=author,
            direction="outbound" if str(tweet.get("author_id")) == self.config.user_id else "inbound",
            parent_external_id=replied_to,
            thread_external_id=str(tweet.get("conversation_id") or tweet["id"]),
            url=f"https://x.com/{handle}/status/{tweet['id']}",
            language=language if language and language != "und" else None,
            raw=orjson.dumps(tweet).decode(),
        )

    # -- direct messages (`tending.connectors.x.messages`) ------------------------------------------

    def fetch_direct(self, cursor: dict[str, Any]) -> FetchResult:
        return messages.fetch(
            self.client,
            cursor,
            user_id=self.config.user_id,
            user_auth=self._user_auth,
            page_size=self.config.page_size,
            start=self.config.start,
            profile=_profile,
        )

    def reply_direct(self, *, parent_external_id: str, text: str) -> SentItem:
        client = self.client
        return messages.send(
            client, parent_external_id, text, user_id=self.config.user_id, user_auth=self._user_auth
        )

    def is_direct(self, external_id: str) -> bool:
        return messages.is_direct(external_id)

    # -- writing ----------------------------------------------------------------------------------

    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        if self.is_direct(parent_external_id):
            return self.reply_direct(parent_external_id=parent_external_id, text=text)
        client = self.client
        answer = call(
            lambda: client.create_tweet(
                text=text, in_reply_to_tweet_id=parent_external_id, user_auth=self._user_auth
            ),
            what="reply",
        )
        return self._sent(answer)

    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        """Up to 4 images are uploaded (v2 media upload) and attached; more are linked in the text."""
        urls = list(media_urls or [])
        client = self.client
        media_ids = (
            upload_images(client, urls, user_auth=self._user_auth, policy=self.context.outbound) or None
        )
        body = "\n".join([text, *urls[MAX_IMAGES:]])
        answer = call(
            lambda: client.create_tweet(text=body, media_ids=media_ids, user_auth=self._user_auth),
            what="publish",
        )
        return self._sent(answer)

    def find_published(
        self, *, text: str, idempotency_key: str, since: datetime, media_urls: list[str] | None = None
    ) -> SentItem | None:
        """X takes no idempotency key: the account's own posts since `since` (its user timeline) are read
        and matched on the text (X shortens links, so links are left out of the match)."""
        body = "\n".join([text, *(media_urls or [])])
        client = self.client
        answer = call(
            lambda: client.get_users_tweets(
                self.config.user_id,
                start_time=since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                max_results=20,
                exclude=["replies", "retweets"],
                tweet_fields=["created_at"],
                user_auth=self._user_auth,
            ),
            what="own posts",
        )
        for tweet in answer.get("data") or []:
            if isinstance(tweet, dict) and tweet.get("id") and same_post(body, str(tweet.get("text") or "")):
                return self._sent({"data": tweet})
        return None

    def _sent(self, answer: dict[str, Any]) -> SentItem:
        data = answer.get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise MalformedResponse("the answer has no post id", network=NETWORK)
        return SentItem(
            external_id=str(data["id"]),
            created_at=datetime.now(UTC),
            url=f"https://x.com/i/web/status/{data['id']}",
            raw=answer,
        )

    # -- metrics ----------------------------------------------------------------------------------

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Today's counts of the authenticated account (`/2/users/me`, open to the free tier too)."""
        client = self.client
        answer = call(
            lambda: client.get_me(user_fields=["public_metrics"], user_auth=self._user_auth), what="account"
        )
        metrics = (answer.get("data") or {}).get("public_metrics")
        if not isinstance(metrics, dict):
            raise MalformedResponse("account: no public_metrics", network=NETWORK)
        now = datetime.now(UTC)
        return [
            MetricPoint(name=name, at=now, value=float(metrics[field]))
            for name, field in (
                ("followers", "followers_count"),
                ("following", "following_count"),
                ("posts", "tweet_count"),
                ("listed", "listed_count"),
            )
            if isinstance(metrics.get(field), int)
        ]
