"""Bluesky: mentions, replies and quotes in; replies and posts out; follower counts.

`listNotifications` pages from the newest backwards, so "what is new since the last poll" is found by
walking pages down to the newest notification seen before (kept in the cursor as its `indexedAt` and
the uris sharing that instant). A walk longer than one page is spread over calls: the cursor then also
holds the API cursor of the next older page, so a stopped walk resumes exactly where it was, and the
boundary moves up only when the walk reaches it. Within a page items come oldest first.

Authors are filled from `app.bsky.actor.getProfiles` (counts, creation time, avatar, bio), 25 at a
time. Posts are written with a record key derived from tending's idempotency key (`post_rkey`), so a
retry cannot make a second post: the repository holds one record per key, and `find_published` reads
it back by that key before anything is sent again.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

from atproto import Client, models

from tending.connectors.bases import (
    AuthorProfile,
    Connector,
    ConnectorError,
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
from tending.connectors.bluesky import messages
from tending.connectors.bluesky.client import NETWORK, call, json_content, login
from tending.connectors.bluesky.config import BlueskyConfig
from tending.connectors.bluesky.richtext import MAX_IMAGE_BYTES, MAX_IMAGES, facets, image_embed, languages
from tending.connectors.bluesky.search import BlueskySearching
from tending.connectors.media import fetch_media

_KINDS = {"mention": "mention", "reply": "reply", "quote": "mention"}
_PROFILE_BATCH = 25


def _time(value: Any, *, what: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise MalformedResponse(f"{what}: missing time", network=NETWORK)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedResponse(f"{what}: not a time: {value[:40]!r}", network=NETWORK) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _web_url(uri: str, handle: str) -> str | None:
    parts = uri.removeprefix("at://").split("/")
    if len(parts) == 3 and parts[1] == "app.bsky.feed.post":
        return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[2]}"
    return None


def _profile(view: dict[str, Any]) -> AuthorProfile:
    verification = view.get("verification") or {}
    created = view.get("createdAt")
    return AuthorProfile(
        external_id=str(view["did"]),
        handle=str(view.get("handle") or ""),
        name=str(view.get("displayName") or ""),
        account_created_at=_time(created, what="profile createdAt") if created else None,
        followers=view.get("followersCount"),
        following=view.get("followsCount"),
        posts_count=view.get("postsCount"),
        avatar_is_default=not view.get("avatar"),
        bio=view.get("description"),
        verified=(verification.get("verifiedStatus") == "valid") if verification else None,
    )


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, as atproto's TID syntax requires
_TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01: derived keys stay in one past year, never the future
_TID_SPAN_US = 365 * 24 * 3600 * 1_000_000


def post_rkey(idempotency_key: str) -> str:
    """A valid TID record key that is a function of the idempotency key: 53 bits of time (a moment of
    2023 picked by the key's hash, so it never sorts ahead of real posts) and 10 bits of clock id."""
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:16], "big")
    micros = _TID_EPOCH_US + digest % _TID_SPAN_US
    clock = (digest >> 64) & 0x3FF
    value = (micros << 10) | clock  # the top bit stays 0
    return "".join(_TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


class BlueskyConnector(
    Connector, PublishCapability, MetricsCapability, DirectMessageCapability, Renewing, BlueskySearching
):
    idempotent_publish = True  # one record per record key (`post_rkey`)
    slug = "bluesky"
    title = "Bluesky"
    description = "Mentions, replies and quotes of a Bluesky account; replies, posts and follower counts."
    config_model = BlueskyConfig
    config: BlueskyConfig

    # Built on first use, per connector.
    _client: Client | None = None
    _did: str = ""

    _chat: Client | None = None

    @property
    def client(self) -> Client:
        """One session per connector, reused from the stored session string; every new or refreshed
        session is stored (encrypted, with the channel's credentials) for the next poll, reply or count."""
        if self._client is None:
            self._client, self._did = login(
                service_url=self.config.service_url,
                credentials=self.credentials,
                policy=self.context.outbound,
                on_session=lambda exported: self.save_credentials({"session_string": exported}),
            )
        return self._client

    @property
    def chat(self) -> Client:
        """The same session through the chat proxy (`tending.connectors.bluesky.messages`)."""
        if self._chat is None:
            self._chat = self.client.with_bsky_chat_proxy()
        return self._chat

    def close(self) -> None:
        self._client = None
        self._chat = None

    # -- listening --------------------------------------------------------------------------------

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        notifications = self._fetch_notifications({k: v for k, v in cursor.items() if k != DIRECT_CURSOR})
        return with_direct(self, notifications, cursor, listen=self.config.listen_messages)

    def _fetch_notifications(self, cursor: dict[str, Any]) -> FetchResult:
        walking = "walk" in cursor
        params = models.AppBskyNotificationListNotifications.Params(
            limit=self.config.page_size, reasons=self.config.reasons, cursor=cursor.get("walk")
        )
        response = call(
            lambda: self.client.invoke_query("app.bsky.notification.listNotifications", params=params),
            what="listNotifications",
        )
        content = json_content(response, what="listNotifications")
        notes = content.get("notifications")
        if not isinstance(notes, list):
            raise MalformedResponse("listNotifications: no notifications list", network=NETWORK)
        newest = cursor.get("newest")
        boundary = set(cursor.get("boundary") or [])
        newest_at = _time(newest, what="cursor") if newest else None

        def is_new(note: dict[str, Any]) -> bool:
            at = _time(note.get("indexedAt"), what="notification indexedAt")
            return (
                newest_at is None or at > newest_at or (at == newest_at and note.get("uri") not in boundary)
            )

        fresh = [n for n in notes if is_new(n)]
        next_page = content.get("cursor")
        reached = (
            len(fresh) < len(notes)
            or not next_page
            or not notes
            or (newest_at is None and not walking and self.config.start == "latest")
        )
        if walking:
            top, top_uris = cursor.get("walk_newest"), list(cursor.get("walk_boundary") or [])
        else:
            top, top_uris = self._top(notes, newest, boundary)
        if reached:
            new_cursor: dict[str, Any] = {"newest": top, "boundary": top_uris}
        else:
            new_cursor = {
                "newest": newest,
                "boundary": sorted(boundary),
                "walk": next_page,
                "walk_newest": top,
                "walk_boundary": top_uris,
            }
        relevant = [n for n in fresh if n.get("reason") in _KINDS and n.get("reason") in self.config.reasons]
        items = self._items(relevant)
        return FetchResult(items=items, cursor=new_cursor, has_more=not reached)

    @staticmethod
    def _top(
        notes: list[dict[str, Any]], newest: str | None, boundary: set[str]
    ) -> tuple[str | None, list[str]]:
        """The newest instant on this page and the uris at it (merged with the old boundary on a tie)."""
        if not notes:
            return newest, sorted(boundary)
        top = max(notes, key=lambda n: _time(n.get("indexedAt"), what="indexedAt"))["indexedAt"]
        top_at = _time(top, what="indexedAt")
        uris = {str(n["uri"]) for n in notes if _time(n.get("indexedAt"), what="indexedAt") == top_at}
        if newest and _time(newest, what="cursor") == top_at:
            uris |= boundary
        return top, sorted(uris)

    def _items(self, notes: list[dict[str, Any]]) -> list[InboundItem]:
        profiles = self._profiles(sorted({str(n["author"]["did"]) for n in notes}))
        items = []
        for note in notes:
            record = note.get("record") or {}
            author_view = note["author"]
            author = profiles.get(str(author_view["did"])) or _profile(author_view)
            reply = record.get("reply") or {}
            langs = record.get("langs") or []
            items.append(
                InboundItem(
                    external_id=str(note["uri"]),
                    kind=_KINDS[note["reason"]],
                    text=str(record.get("text") or ""),
                    created_at=_time(record.get("createdAt") or note.get("indexedAt"), what="post createdAt"),
                    author=author,
                    parent_external_id=(reply.get("parent") or {}).get("uri"),
                    thread_external_id=(reply.get("root") or {}).get("uri"),
                    url=_web_url(str(note["uri"]), author.handle),
                    language=langs[0] if langs else None,
                    raw=json.dumps(note, ensure_ascii=False),
                )
            )
        items.sort(key=lambda it: it.created_at)
        return items

    def _profiles(self, dids: list[str]) -> dict[str, AuthorProfile]:
        found: dict[str, AuthorProfile] = {}
        for start in range(0, len(dids), _PROFILE_BATCH):
            params = models.AppBskyActorGetProfiles.Params(actors=dids[start : start + _PROFILE_BATCH])
            response = call(
                partial(self.client.invoke_query, "app.bsky.actor.getProfiles", params=params),
                what="getProfiles",
            )
            for view in json_content(response, what="getProfiles").get("profiles") or []:
                found[str(view["did"])] = _profile(view)
        return found

    # -- direct messages (`tending.connectors.bluesky.messages`) -----------------------------------

    def fetch_direct(self, cursor: dict[str, Any]) -> FetchResult:
        chat = self.chat
        return messages.fetch(
            chat,
            cursor,
            own_did=self._did,
            page_size=self.config.page_size,
            start=self.config.start,
            when=lambda value, what: _time(value, what=what),
            profile=_profile,
        )

    def reply_direct(self, *, parent_external_id: str, text: str) -> SentItem:
        return messages.send(self.chat, parent_external_id, text)

    def is_direct(self, external_id: str) -> bool:
        return messages.is_direct(external_id)

    # -- writing ----------------------------------------------------------------------------------

    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        """Reply under the parent, keeping the thread's root (Bluesky needs both as uri+cid refs); a
        chat message is answered in its conversation."""
        if self.is_direct(parent_external_id):
            return self.reply_direct(parent_external_id=parent_external_id, text=text)
        params = models.AppBskyFeedGetPosts.Params(uris=[parent_external_id])
        response = call(
            lambda: self.client.invoke_query("app.bsky.feed.getPosts", params=params), what="getPosts"
        )
        posts = json_content(response, what="getPosts").get("posts") or []
        if not posts:
            raise MalformedResponse(f"getPosts: {parent_external_id} not found", network=NETWORK)
        parent = posts[0]
        parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=parent["uri"], cid=parent["cid"])
        root = ((parent.get("record") or {}).get("reply") or {}).get("root")
        root_ref = (
            models.ComAtprotoRepoStrongRef.Main(uri=root["uri"], cid=root["cid"]) if root else parent_ref
        )
        reply_to = models.AppBskyFeedPost.ReplyRef(parent=parent_ref, root=root_ref)
        return self._send(text, reply_to=reply_to)

    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        """Post under the record key of `idempotency_key` (`com.atproto.repo.createRecord` with `rkey`),
        with up to 4 images uploaded as blobs (more are linked in the text)."""
        urls = list(media_urls or [])
        blobs = [(self._upload(url), "") for url in urls[:MAX_IMAGES]]
        return self._send(
            "\n".join([text, *urls[MAX_IMAGES:]]),
            reply_to=None,
            embed=image_embed(blobs),
            rkey=post_rkey(idempotency_key),
        )

    def find_published(
        self, *, text: str, idempotency_key: str, since: datetime, media_urls: list[str] | None = None
    ) -> SentItem | None:
        """The record an earlier attempt wrote under this post's record key, read back directly."""
        client = self.client
        rkey = post_rkey(idempotency_key)
        try:
            found = call(lambda: client.app.bsky.feed.post.get(self._did, rkey), what="getRecord")
        except ConnectorError as exc:
            if exc.status == 400 and "RecordNotFound" in str(exc):
                return None
            raise
        return self._sent_record(found.uri, found.cid or "")

    def _sent_record(self, uri: str, cid: str) -> SentItem:
        handle = self.credentials.get("handle", "")
        return SentItem(
            external_id=uri,
            created_at=datetime.now(UTC),
            url=_web_url(uri, handle),
            raw={"uri": uri, "cid": cid},
        )

    def _upload(self, url: str) -> models.BlobRef:
        media = fetch_media(url, policy=self.context.outbound, max_bytes=MAX_IMAGE_BYTES, network=NETWORK)
        return call(lambda: self.client.upload_blob(media.data), what="uploadBlob").blob

    def _resolve(self, handle: str) -> str | None:
        """A mentioned handle's DID; None when it does not resolve (the mention stays plain text)."""
        try:
            return str(call(lambda: self.client.resolve_handle(handle), what="resolveHandle").did)
        except ConnectorError:
            return None

    def _send(
        self,
        text: str,
        *,
        reply_to: models.AppBskyFeedPost.ReplyRef | None,
        embed: models.AppBskyEmbedImages.Main | None = None,
        rkey: str | None = None,
    ) -> SentItem:
        client = self.client
        record = models.AppBskyFeedPost.Record(
            created_at=client.get_current_time_iso(),
            text=text,
            reply=reply_to,
            embed=embed,
            langs=languages(text, self.config.post_language),
            facets=facets(text, self._resolve) or None,
        )
        created = call(
            lambda: client.app.bsky.feed.post.create(self._did, record, rkey=rkey), what="createRecord"
        )
        return self._sent_record(created.uri, created.cid)

    # -- metrics ----------------------------------------------------------------------------------

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Bluesky only tells today's figures, so one point per figure, dated now."""
        client = self.client
        params = models.AppBskyActorGetProfile.Params(actor=self._did)
        response = call(
            lambda: client.invoke_query("app.bsky.actor.getProfile", params=params), what="getProfile"
        )
        view = json_content(response, what="getProfile")
        now = datetime.now(UTC)
        return [
            MetricPoint(name=name, at=now, value=float(view[field]))
            for name, field in (
                ("followers", "followersCount"),
                ("following", "followsCount"),
                ("posts", "postsCount"),
            )
            if isinstance(view.get(field), int)
        ]
