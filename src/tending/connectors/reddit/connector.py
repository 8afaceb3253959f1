"""Reddit: the brand's subreddit (new posts and comments) and its inbox (mentions, replies anywhere).

Each stream is a listing read newest-first; paging forward uses `before=<newest fullname delivered>`,
which returns the items immediately newer than it, so the cursor (one fullname per stream) resumes
exactly. A stream's first poll reads its newest page only. Items are keyed by fullname (`t1_` comments,
`t3_` posts) so the same comment seen in the subreddit and in the inbox is one item.

Authors are completed in one call per page with `/api/user_data_by_account_ids` (creation time, avatar).
Known limit: when the newest delivered item is deleted, `before` on it returns nothing; the stream then
stays quiet until a person resets the channel's cursor. Reddit has no idempotency key for submissions.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version
from typing import Any

import praw

from tending.connectors.bases import (
    AuthorProfile,
    Connector,
    FetchResult,
    InboundItem,
    MalformedResponse,
    MetricPoint,
    MetricsCapability,
    NotPermitted,
    PublishCapability,
    SentItem,
)
from tending.connectors.bases.messages import CURSOR_KEY as DIRECT_CURSOR
from tending.connectors.bases.messages import DirectMessageCapability, with_direct
from tending.connectors.bases.renewal import Renewing
from tending.connectors.reddit import messages, tokens
from tending.connectors.reddit.client import NETWORK, call, make_reddit, sent_once
from tending.connectors.reddit.config import RedditConfig
from tending.connectors.reddit.search import RedditSearching
from tending.connectors.text import same_post

_THREAD_IN_CONTEXT = re.compile(r"/comments/([a-z0-9]+)/")
_TITLE_MAX = 300


def _time(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError):
        raise MalformedResponse(f"created_utc is not a time: {str(value)[:30]!r}", network=NETWORK) from None


def _children(listing: Any, *, what: str) -> tuple[list[dict[str, Any]], str | None]:
    if (
        not isinstance(listing, dict)
        or listing.get("kind") != "Listing"
        or not isinstance(listing.get("data"), dict)
    ):
        raise MalformedResponse(f"{what}: not a Reddit listing", network=NETWORK)
    children = listing["data"].get("children")
    if not isinstance(children, list):
        raise MalformedResponse(f"{what}: listing has no children", network=NETWORK)
    return children, listing["data"].get("after")


def _thread_of(data: dict[str, Any]) -> str | None:
    if data.get("link_id"):
        return str(data["link_id"])
    match = _THREAD_IN_CONTEXT.search(str(data.get("context") or ""))
    return f"t3_{match.group(1)}" if match else None


_VERSION = version("tending")


def _submitted(base36: str, title: str, when: datetime) -> SentItem:
    return SentItem(
        external_id=f"t3_{base36}",
        created_at=when,
        url=f"https://www.reddit.com/comments/{base36}/",
        raw={"id": base36, "title": title},
    )


class RedditConnector(
    Connector, PublishCapability, MetricsCapability, DirectMessageCapability, Renewing, RedditSearching
):
    slug = "reddit"
    title = "Reddit"
    description = "A brand's subreddit and inbox on Reddit; replies, submissions and subscriber counts."
    config_model = RedditConfig
    config: RedditConfig

    # Built on first use, per connector.
    _reddit: praw.Reddit | None = None

    @property
    def reddit(self) -> praw.Reddit:
        if self._reddit is None:
            self._reddit = make_reddit(credentials=self.credentials, user_agent=self.user_agent)
            tokens.watch_refresh(self._reddit, lambda token: self.save_credentials({"refresh_token": token}))
        return self._reddit

    def close(self) -> None:
        self._reddit = None

    @property
    def user_agent(self) -> str:
        """Reddit's required form, `<platform>:<app ID>:<version> (by /u/<username>)`, unless the channel
        sets its own."""
        if self.config.user_agent:
            return self.config.user_agent
        username = self.config.username or self.credentials.get("username") or ""
        by = f" (by /u/{username})" if username else ""
        return f"server:tending:v{_VERSION}{by}"

    @property
    def _user_auth(self) -> bool:
        return bool(self.credentials.get("refresh_token") or self.credentials.get("password"))

    def _streams(self) -> list[tuple[str, str, str | None]]:
        """(cursor key, listing path, kind forced on its comments)."""
        sub = self.config.subreddit
        streams: list[tuple[str, str, str | None]] = []
        if self.config.listen_subreddit:
            streams += [("posts", f"r/{sub}/new", None), ("comments", f"r/{sub}/comments", None)]
        if self.config.listen_inbox and self._user_auth:
            streams += [
                ("mentions", "message/mentions", "mention"),
                ("comment_replies", "message/comments", None),
                ("post_replies", "message/selfreply", None),
            ]
        return streams

    # -- listening --------------------------------------------------------------------------------

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        public = self._fetch_streams({k: v for k, v in cursor.items() if k != DIRECT_CURSOR})
        listen = self.config.listen_messages and self._user_auth
        return with_direct(self, public, cursor, listen=listen)

    def _fetch_streams(self, cursor: dict[str, Any]) -> FetchResult:
        before_by_stream: dict[str, str] = dict(cursor.get("before") or {})
        found: dict[str, tuple[dict[str, Any], str, str | None]] = {}
        has_more = False
        for key, path, forced_kind in self._streams():
            before = before_by_stream.get(key)
            params: dict[str, str | int] = {"limit": self.config.page_size}
            if before:
                params["before"] = before
            listing = call(partial(self.reddit.request, method="GET", path=path, params=params), what=path)
            children, _after = _children(listing, what=path)
            for child in children:
                data = child.get("data") if isinstance(child, dict) else None
                if not isinstance(data, dict) or not data.get("name"):
                    raise MalformedResponse(f"{path}: a listing child has no data.name", network=NETWORK)
                kind = str(child.get("kind"))
                name = str(data["name"])
                if kind in {"t1", "t3"} and (name not in found or forced_kind):
                    found[name] = (data, kind, forced_kind)
            if children:
                before_by_stream[key] = str(children[0]["data"]["name"])
                has_more |= bool(before) and len(children) >= self.config.page_size
        profiles = self._profiles(
            {str(d["author_fullname"]) for d, _, _ in found.values() if d.get("author_fullname")}
        )
        items = [self._item(data, kind, forced, profiles) for data, kind, forced in found.values()]
        items.sort(key=lambda it: (it.created_at, it.external_id))
        return FetchResult(items=items, cursor={"before": before_by_stream}, has_more=has_more)

    def _profiles(self, fullnames: set[str]) -> dict[str, dict[str, Any]]:
        if not fullnames:
            return {}
        answer = call(
            lambda: self.reddit.request(
                method="GET", path="api/user_data_by_account_ids", params={"ids": ",".join(sorted(fullnames))}
            ),
            what="user_data_by_account_ids",
        )
        if not isinstance(answer, dict):
            raise MalformedResponse("user_data_by_account_ids: not an object", network=NETWORK)
        return {k: v for k, v in answer.items() if isinstance(v, dict)}

    def _author(self, data: dict[str, Any], profiles: dict[str, dict[str, Any]]) -> AuthorProfile | None:
        name = data.get("author")
        if not name or name == "[deleted]":
            return None
        fullname = data.get("author_fullname")
        about = profiles.get(str(fullname), {}) if fullname else {}
        image = str(about.get("profile_img") or "")
        created = about.get("created_utc")
        return AuthorProfile(
            external_id=str(fullname or f"name:{name}"),
            handle=str(name),
            name=str(name),
            account_created_at=_time(created) if created is not None else None,
            avatar_is_default=("avatar_default" in image) if image else None,
        )

    def _item(
        self, data: dict[str, Any], kind: str, forced: str | None, profiles: dict[str, dict[str, Any]]
    ) -> InboundItem:
        ours = (
            bool(self.config.username)
            and str(data.get("author", "")).lower() == str(self.config.username).lower()
        )
        permalink = data.get("permalink") or data.get("context")
        url = f"https://www.reddit.com{permalink}" if permalink else None
        if kind == "t3":
            title, body = str(data.get("title") or ""), str(data.get("selftext") or "")
            return InboundItem(
                external_id=str(data["name"]),
                kind="post",
                text=f"{title}\n\n{body}".strip(),
                created_at=_time(data.get("created_utc")),
                author=self._author(data, profiles),
                direction="outbound" if ours else "inbound",
                url=url,
                raw=json.dumps(data, ensure_ascii=False),
            )
        parent = data.get("parent_id")
        thread = _thread_of(data)
        item_kind = forced or ("comment" if parent and parent == thread else "reply")
        return InboundItem(
            external_id=str(data["name"]),
            kind=item_kind,
            text=str(data.get("body") or ""),
            created_at=_time(data.get("created_utc")),
            author=self._author(data, profiles),
            direction="outbound" if ours else "inbound",
            parent_external_id=str(parent) if parent else None,
            thread_external_id=thread,
            url=url,
            raw=json.dumps(data, ensure_ascii=False),
        )

    # -- private messages (`tending.connectors.reddit.messages`) -----------------------------------

    def fetch_direct(self, cursor: dict[str, Any]) -> FetchResult:
        self._require_user("private messages")
        return messages.fetch(
            self.reddit,
            cursor,
            username=self.config.username,
            page_size=self.config.page_size,
            when=_time,
            profiles=self._profiles,
            author=self._author,
        )

    def reply_direct(self, *, parent_external_id: str, text: str) -> SentItem:
        self._require_user("message reply")
        return messages.send(self.reddit, parent_external_id, text)

    def is_direct(self, external_id: str) -> bool:
        return messages.is_direct(external_id)

    # -- writing ----------------------------------------------------------------------------------

    def _require_user(self, what: str) -> None:
        if not self._user_auth:
            raise NotPermitted(
                f"{what}: the channel has only app keys; writing needs a user token "
                "(refresh token or password)",
                network=NETWORK,
            )

    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        if self.is_direct(parent_external_id):
            return self.reply_direct(parent_external_id=parent_external_id, text=text)
        self._require_user("comment")
        prefix, _, base36 = parent_external_id.partition("_")
        if prefix == "t1":
            target: Any = self.reddit.comment(id=base36)
        elif prefix == "t3":
            target = self.reddit.submission(id=base36)
        else:
            raise MalformedResponse(
                f"cannot reply to {parent_external_id!r}: not a t1_/t3_ fullname", network=NETWORK
            )
        with sent_once(self.reddit):
            comment = call(lambda: target.reply(text), what="comment")
        if comment is None:
            raise MalformedResponse("comment: Reddit returned no comment", network=NETWORK)
        data = {
            k: v
            for k, v in vars(comment).items()
            if not k.startswith("_") and isinstance(v, str | int | float | bool | type(None))
        }
        created = data.get("created_utc")
        permalink = data.get("permalink")
        return SentItem(
            external_id=f"t1_{comment.id}",
            created_at=_time(created) if created is not None else datetime.now(UTC),
            url=f"https://www.reddit.com{permalink}" if permalink else None,
            raw=data,
        )

    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        """A self post: the first line is the title, the rest the body; media are linked in the body."""
        self._require_user("submit")
        first, _, rest = text.strip().partition("\n")
        title = first.strip()[:_TITLE_MAX] or "(untitled)"
        body = "\n".join([rest.strip(), *(media_urls or [])]).strip()
        subreddit = self.reddit.subreddit(self.config.subreddit)
        with sent_once(self.reddit):
            submission = call(lambda: subreddit.submit(title, selftext=body), what="submit")
        return _submitted(str(submission.id), title, datetime.now(UTC))

    def find_published(
        self, *, text: str, idempotency_key: str, since: datetime, media_urls: list[str] | None = None
    ) -> SentItem | None:
        """Reddit takes no idempotency key: the account's newest submissions to the subreddit are read
        (`/user/<name>/submitted`) and matched on title and body."""
        self._require_user("own submissions")
        first, _, rest = text.strip().partition("\n")
        title = first.strip()[:_TITLE_MAX] or "(untitled)"
        ours = "\n".join([title, rest.strip(), *(media_urls or [])])
        username = self.config.username or self.credentials.get("username")
        if not username:
            me = call(
                lambda: self.reddit.request(method="GET", path="api/v1/me", params={}), what="api/v1/me"
            )
            username = str(me.get("name") or "") if isinstance(me, dict) else ""
        path = f"user/{username}/submitted"
        page = call(
            lambda: self.reddit.request(method="GET", path=path, params={"sort": "new", "limit": 25}),
            what=path,
        )
        children = ((page.get("data") or {}).get("children") or []) if isinstance(page, dict) else []
        for child in children:
            post = child.get("data") if isinstance(child, dict) else None
            if not isinstance(post, dict) or not post.get("id"):
                continue
            when = datetime.fromtimestamp(float(post.get("created_utc") or 0), tz=UTC)
            theirs = "\n".join([str(post.get("title") or ""), str(post.get("selftext") or "")])
            same_place = str(post.get("subreddit") or "").lower() == self.config.subreddit.lower()
            if same_place and when >= since and same_post(ours, theirs):
                return _submitted(str(post["id"]), title, when)
        return None

    # -- metrics ----------------------------------------------------------------------------------

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Reddit only tells the current subscribers, so one point, dated now."""
        path = f"r/{self.config.subreddit}/about"
        about = call(lambda: self.reddit.request(method="GET", path=path, params={}), what=path)
        data = about.get("data") if isinstance(about, dict) else None
        if not isinstance(data, dict):
            raise MalformedResponse(f"{path}: not a subreddit", network=NETWORK)
        now = datetime.now(UTC)
        # Reddit no longer sends the count of users online (`active_user_count`): subscribers only.
        value = data.get("subscribers")
        return [MetricPoint(name="subscribers", at=now, value=float(value))] if isinstance(value, int) else []
