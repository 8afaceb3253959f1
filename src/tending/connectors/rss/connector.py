"""Blogs through their RSS/Atom feeds: the brand's posts (outbound) and readers' comments (inbound).

Feeds have no paging: each one shows its latest entries. The cursor therefore keeps, per feed, the
ETag/Last-Modified of the last answer (so an unchanged feed costs a 304) and the ids already delivered,
so a poll yields exactly the entries not seen before, oldest first. Comments are threaded on their post:
Atom comment feeds say so with `thr:in-reply-to`; WordPress RSS 2 comment feeds give each comment the
guid `<post guid>#comment-<n>`, from which the post is recovered. Blogs offer no reply API, so this
connector only listens.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import feedparser

from tending.connectors.bases import (
    AuthorProfile,
    Connector,
    FetchResult,
    InboundItem,
    ListenCapability,
    MalformedResponse,
)
from tending.connectors.rss.client import NETWORK, FeedClient, FeedResponse
from tending.connectors.rss.config import RssConfig
from tending.connectors.rss.search import RssSearching
from tending.connectors.text import html_to_text

log = logging.getLogger(__name__)

_HTML_STARTS = (b"<!doctype html", b"<html")


def _entry_time(entry: Any) -> datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)  # feedparser gives UTC
    return datetime.now(UTC)


def _language(code: str | None) -> str | None:
    if not code:
        return None
    return code.split("-")[0].split("_")[0].lower() or None


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    markup = contents[0].get("value", "") if contents else entry.get("summary", "")
    return html_to_text(markup or "")


def _entry_id(entry: Any) -> str | None:
    return entry.get("id") or entry.get("link") or None


def _raw(entry: Any) -> str:
    return json.dumps(entry, default=str, ensure_ascii=False)


def _post_of_comment(entry: Any) -> tuple[str | None, str | None]:
    """(thread, parent) of a comment: the post it belongs to and the item it answers."""
    reply_to = entry.get("thr_in-reply-to")
    ref = reply_to.get("ref") if isinstance(reply_to, dict) else None
    guid = entry.get("id") or ""
    if ref:
        thread = ref.split("#comment-")[0]
        return thread, ref
    if "#comment-" in guid:
        post = guid.split("#comment-")[0]
        return post, post
    link = entry.get("link") or ""
    if link:
        post = link.split("#")[0]
        return post, post
    return None, None


def _author(entry: Any) -> AuthorProfile | None:
    detail = entry.get("author_detail") or {}
    name = detail.get("name") or entry.get("author") or ""
    href = detail.get("href") or ""
    if not (name or href):
        return None
    return AuthorProfile(external_id=href or f"name:{name}", handle=name, name=name)


class RssConnector(Connector, ListenCapability, RssSearching):
    slug = "rss"
    title = "Blog (RSS/Atom)"
    description = "A blog's posts and comments through its RSS or Atom feeds (listen only)."
    config_model = RssConfig
    config: RssConfig

    # Built on first use, per connector.
    _client: FeedClient | None = None

    @property
    def client(self) -> FeedClient:
        if self._client is None:
            self._client = FeedClient(
                timeout_s=self.config.timeout_s,
                user_agent=self.config.user_agent,
                policy=self.context.outbound,
                username=self.credentials.get("username", ""),
                password=self.credentials.get("password", ""),
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _comment_feeds(self) -> list[str]:
        urls = [str(self.config.comments_feed_url)] if self.config.comments_feed_url else []
        urls += [str(u) for u in self.config.post_comment_feeds]
        return list(dict.fromkeys(urls))

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        states: dict[str, Any] = dict(cursor.get("feeds") or {})
        items: list[InboundItem] = []
        feeds = [(str(self.config.feed_url), "post")] + [(u, "comment") for u in self._comment_feeds()]
        for url, role in feeds:
            read = self._read_feed(url, states)
            if read is None:
                continue
            resp, parsed, new = read
            language = parsed.feed.get("language")
            fresh = [self._item(entry, ext, role=role, feed_language=language) for ext, entry in new]
            fresh.sort(key=lambda it: it.created_at)
            items.extend(fresh)
            self._remember(states, url, resp, [it.external_id for it in reversed(fresh)])
        items.sort(key=lambda it: (it.created_at, it.kind != "post"))
        return FetchResult(items=items, cursor={"feeds": states}, has_more=False)

    def _read_feed(
        self, url: str, states: dict[str, Any]
    ) -> tuple[FeedResponse, Any, list[tuple[str, Any]]] | None:
        """One feed by conditional GET: the answer, the parsed feed and its entries not read before as
        (id, entry) in feed order; None when the feed is unchanged (304). The caller remembers what it
        read with `_remember`."""
        state = states.get(url) or {}
        resp = self.client.get(url, etag=state.get("etag"), last_modified=state.get("modified"))
        if resp.status == 304:
            return None
        parsed = self._parse(resp)
        seen = set(state.get("seen") or [])
        new: list[tuple[str, Any]] = []
        for entry in parsed.entries:
            ext = _entry_id(entry)
            if ext is None or ext in seen:
                continue
            seen.add(ext)
            new.append((ext, entry))
        return resp, parsed, new

    def _remember(
        self, states: dict[str, Any], url: str, resp: FeedResponse, newest_first: list[str]
    ) -> None:
        """The feed's validators and the ids read: newest first, then the older ones, up to `remember_ids`."""
        state = dict(states.get(url) or {})
        seen = newest_first + list(state.get("seen") or [])
        state.update(etag=resp.etag, modified=resp.last_modified, seen=seen[: self.config.remember_ids])
        states[url] = state

    def _parse(self, resp: FeedResponse) -> Any:
        """The parsed feed. Servers often label feeds text/html, so the body decides, not the header."""
        parsed = feedparser.parse(resp.content)
        if parsed.get("version") and (parsed.entries or not parsed.bozo):
            if parsed.bozo:
                log.warning("feed %s has XML errors; read %d entries anyway", resp.url, len(parsed.entries))
            return parsed
        head = resp.content.lstrip()[:200].lower()
        if head.startswith(_HTML_STARTS) or "html" in resp.content_type.lower():
            raise MalformedResponse(
                f"{resp.url} returned an HTML page, not an RSS/Atom feed; check the feed address",
                network=NETWORK,
            )
        if parsed.bozo:
            reason = str(parsed.get("bozo_exception", "unreadable XML"))[:120]
            raise MalformedResponse(f"{resp.url} is not a readable feed ({reason})", network=NETWORK)
        raise MalformedResponse(f"{resp.url} is not an RSS or Atom document", network=NETWORK)

    def _item(self, entry: Any, ext: str, *, role: str, feed_language: str | None) -> InboundItem:
        contents = entry.get("content") or []
        language = _language((contents[0].get("language") if contents else None) or feed_language)
        if role == "post":
            title = (entry.get("title") or "").strip()
            body = _entry_text(entry)
            text = f"{title}\n\n{body}".strip() if title and not body.startswith(title) else body or title
            return InboundItem(
                external_id=ext,
                kind="post",
                text=text,
                created_at=_entry_time(entry),
                author=_author(entry),
                direction="outbound",
                url=entry.get("link"),
                language=language,
                raw=_raw(entry),
            )
        thread, parent = _post_of_comment(entry)
        kind = "reply" if parent and parent != thread else "comment"
        return InboundItem(
            external_id=ext,
            kind=kind,
            text=_entry_text(entry),
            created_at=_entry_time(entry),
            author=_author(entry),
            direction="inbound",
            parent_external_id=parent,
            thread_external_id=thread,
            url=entry.get("link"),
            language=language,
            raw=_raw(entry),
        )
