"""Listening on X: `GET /2/tweets/search/recent` (the last seven days), on tiers that include it.

The query is X's own syntax: `(a OR "b c") -x (lang:en OR lang:fr) -is:retweet`. Pages run from the
newest post back to `since_id`, following `next_token`; the walk's newest id becomes `since_id` only when
the walk ends, so a stopped walk resumes where it was. The free tier cannot search: X answers 403, raised
as NotPermitted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import tweepy

from tending.connectors.bases import (
    AuthorProfile,
    FetchResult,
    InboundItem,
    MalformedResponse,
    SearchCapability,
    SearchQuery,
    SearchQuota,
)
from tending.connectors.x.client import NETWORK, call

MAX_QUERY = 512  # characters X accepts in a query on its Basic and Pro tiers


def x_query(query: SearchQuery) -> str:
    text = query.search_string()
    if query.languages:
        langs = " OR ".join(f"lang:{lang}" for lang in query.languages)
        text += f" ({langs})" if len(query.languages) > 1 else f" {langs}"
    text += " -is:retweet"
    if len(text) > MAX_QUERY:
        raise MalformedResponse(f"the query is longer than X's {MAX_QUERY} characters", network=NETWORK)
    return text


class XSearching(SearchCapability):
    """Mixed into the X connector, which supplies `client`, `_user_auth`, `_item` and `_profile`."""

    search_quota: ClassVar[SearchQuota] = SearchQuota(
        calls=60, window_seconds=900, note="recent search on the Basic tier, per app; posts read count too"
    )
    # Supplied by the connector this is mixed into.
    if TYPE_CHECKING:
        config: Any
        _user_auth: bool

        @property
        def client(self) -> tweepy.Client: ...

        def _item(self, tweet: Any, profiles: dict[str, AuthorProfile]) -> InboundItem: ...

    def search(self, query: SearchQuery, cursor: dict[str, Any]) -> FetchResult:
        from tending.connectors.x.connector import TWEET_FIELDS, USER_FIELDS, _id_key, _newer, _profile

        since_id = cursor.get("since_id")
        token = cursor.get("next_token")
        client = self.client
        page = call(
            lambda: client.search_recent_tweets(
                x_query(query),
                since_id=since_id,
                next_token=token,
                max_results=max(10, min(int(self.config.page_size), 100)),
                expansions=["author_id"],
                tweet_fields=TWEET_FIELDS,
                user_fields=USER_FIELDS,
                user_auth=self._user_auth,
            ),
            what="recent search",
        )
        tweets = page.get("data") or []
        users = (page.get("includes") or {}).get("users") or []
        meta = page.get("meta") or {}
        if not isinstance(tweets, list) or not isinstance(users, list) or not isinstance(meta, dict):
            raise MalformedResponse("recent search: unexpected shape", network=NETWORK)
        profiles = {str(u["id"]): _profile(u) for u in users if isinstance(u, dict) and u.get("id")}
        items = []
        for tweet in tweets:
            item = self._item(tweet, profiles)
            if query.matches(item.text, item.language):
                item.kind = "post" if item.kind == "mention" else item.kind
                item.direction = "inbound"
                items.append(item)
        top = cursor.get("top_id")
        for tweet in tweets:
            top = _newer(str(tweet.get("id")), top) if isinstance(tweet, dict) else top
        next_token = meta.get("next_token")
        if next_token:
            new_cursor: dict[str, Any] = {"next_token": str(next_token), "top_id": top}
            if since_id is not None:
                new_cursor["since_id"] = since_id
            return FetchResult(items=items, cursor=new_cursor, has_more=True)
        newest = _newer(top, since_id)
        items.sort(key=lambda it: _id_key(it.external_id))
        return FetchResult(items=items, cursor={"since_id": newest} if newest else {}, has_more=False)
