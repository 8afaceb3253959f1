"""LinkedIn organisation pages: comments on the page's posts in; replies, posts and page statistics out.

Comments are read for the `recent_posts` newest posts of the organisation. One batch call reads every
post's comment count (`socialActions`, `aggregatedTotalComments` counts nested replies too); only posts
whose count moved are read, all pages (`start`/`count`, `paging.total`), with each comment's nested
replies, delivering what lies above that post's floor (see `tending.connectors.watermark`). A post with
more pages than `max_comment_pages` keeps its offset in the cursor and is finished on the next call.

Commenters are members (`urn:li:person:…`) or organisations; members' names, vanity names and headlines
are read in one batch when the app may (the People API answers 403 otherwise, and names stay empty).
Posts are text (links stay in the text; images would need LinkedIn's upload flow). LinkedIn has no
idempotency key, so a publish retried after a lost answer can post twice.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from tending.connectors import http as outbound
from tending.connectors.bases import (
    AuthorProfile,
    Connector,
    ConnectorContext,
    FetchResult,
    InboundItem,
    ListenCapability,
    MalformedResponse,
    MetricPoint,
    MetricsCapability,
    NotPermitted,
    PublishCapability,
    ReplyCapability,
    SentItem,
)
from tending.connectors.bases.renewal import Renewing
from tending.connectors.linkedin import tokens
from tending.connectors.linkedin.client import NETWORK, LinkedInClient, elements, enc, restli_list
from tending.connectors.linkedin.config import LinkedInConfig
from tending.connectors.linkedin.media import MAX_IMAGES, media_content, upload_images
from tending.connectors.text import same_post
from tending.connectors.watermark import Walk

_PERSON = "urn:li:person:"
_COMMENT_URN = re.compile(r"^urn:li:comment:\((?P<object>urn:li:[A-Za-z]+:[^,]+),(?P<id>[^)]+)\)$")
# characters LinkedIn's "little text" format reserves in post commentary; they are escaped to stay literal
_LITTLE_TEXT_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
_STATS_MAX_DAYS = 365


def _ms(value: Any, *, what: str) -> datetime:
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    raise MalformedResponse(f"{what}: missing or unreadable time {str(value)[:40]!r}", network=NETWORK)


def _sent_post(urn: str, when: datetime) -> SentItem:
    return SentItem(
        external_id=urn, created_at=when, url=f"https://www.linkedin.com/feed/update/{urn}", raw={"id": urn}
    )


def _comment_urn(comment: dict[str, Any]) -> str:
    urn = comment.get("commentUrn") or comment.get("$URN")
    if not urn:
        raise MalformedResponse("comment: no commentUrn", network=NETWORK)
    return str(urn)


def _nested_count(comment: dict[str, Any]) -> int:
    summary = comment.get("commentsSummary") or {}
    count = summary.get("aggregatedTotalComments", summary.get("totalFirstLevelComments"))
    return count if isinstance(count, int) else 0


def escape_little_text(text: str) -> str:
    return _LITTLE_TEXT_RESERVED.sub(r"\\\1", text)


class LinkedInConnector(
    Connector, ListenCapability, ReplyCapability, PublishCapability, MetricsCapability, Renewing
):
    slug = "linkedin"
    title = "LinkedIn page"
    description = "Comments on a LinkedIn organisation's posts; replies, text posts and page statistics."
    config_model = LinkedInConfig
    config: LinkedInConfig

    def __init__(
        self,
        *,
        config: dict[str, Any] | None = None,
        credentials: dict[str, str] | None = None,
        context: ConnectorContext | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(config=config, credentials=credentials, context=context)
        self._http = http
        self._api: LinkedInClient | None = None
        self._token_http: httpx.Client | None = None

    @property
    def api(self) -> LinkedInClient:
        """Renews the access token first when its stored expiry has passed, and once after a 401, where
        the app has a refresh token (`tending.connectors.linkedin.tokens`)."""
        if self._api is None:
            renewing = self.can_renew_credentials()
            if renewing and self.access_expired():
                self._renew_token()
            self._api = LinkedInClient(
                access_token=self.credentials.get("access_token", ""),
                renew=self._renew_token if renewing else None,
                api_version=self.config.api_version or self.context.linkedin_api_version,
                version_setting=(
                    "the channel's api_version" if self.config.api_version else "TENDING_LINKEDIN_API_VERSION"
                ),
                base_url=self.config.base_url,
                timeout_s=self.config.request_timeout_s,
                http=self._http,
                policy=self.context.outbound,
            )
        return self._api

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
        self._api = None
        if self._token_http is not None:
            self._token_http.close()
        self._token_http = None

    def can_renew_credentials(self) -> bool:
        return tokens.can_renew(self.credentials)

    def _renew_token(self) -> str:
        """A new access token from the refresh token, stored with the channel's credentials."""
        http = self._http
        if http is None:
            if self._token_http is None:
                timeout = httpx.Timeout(self.config.request_timeout_s, connect=10.0)
                self._token_http = outbound.client(self.context.outbound, timeout=timeout)
            http = self._token_http
        self.save_credentials(tokens.renew(self.credentials, http=http))
        return self.credentials["access_token"]

    # -- listening --------------------------------------------------------------------------------

    def fetch_since(self, cursor: dict[str, Any]) -> FetchResult:
        state = dict(cursor.get("comments") or {})
        first_page_only = not state and self.config.start == "latest"
        stored: dict[str, dict[str, Any]] = dict(state.get("posts") or {})
        recent = self._recent_posts()
        counts = self._comment_counts(recent)
        found: list[tuple[str, dict[str, Any]]] = []
        kept: dict[str, dict[str, Any]] = {}
        for post in [urn for urn in stored if Walk.load(stored[urn]).in_progress] + recent:
            if post in kept:
                continue
            entry = stored.get(post) or {}
            walk = Walk.load(entry)
            count = counts.get(post)
            if walk.in_progress or count is None or not entry or count != entry.get("count"):
                pending = entry.get("pending", count) if walk.in_progress else count
                self._read_post(post, walk, found=found, first_page_only=first_page_only)
                entry = {**walk.dump(), "count": entry.get("count") if walk.in_progress else pending}
                if walk.in_progress:
                    entry["pending"] = pending
            kept[post] = {k: v for k, v in entry.items() if v is not None}
        profiles = self._people({str(c.get("actor") or "") for _, c in found})
        items = [self._item(post, comment, profiles) for post, comment in found]
        items.sort(key=lambda it: (it.created_at, it.external_id))
        has_more = any(Walk.load(entry).in_progress for entry in kept.values())
        return FetchResult(items=items, cursor={**cursor, "comments": {"posts": kept}}, has_more=has_more)

    def _recent_posts(self) -> list[str]:
        return [str(post["id"]) for post in self._own_posts(self.config.recent_posts) if post.get("id")]

    def _own_posts(self, count: int) -> list[dict[str, Any]]:
        page = self.api.get(
            "posts",
            query=f"q=author&author={enc(self.config.organization_urn)}&count={count}&sortBy=LAST_MODIFIED",
            what="posts",
        )
        return elements(page, what="posts")

    def _comment_counts(self, posts: list[str]) -> dict[str, int]:
        if not posts:
            return {}
        page = self.api.get(
            "socialActions", query=f"ids={restli_list([enc(p) for p in posts])}", what="social actions"
        )
        results = page.get("results")
        if not isinstance(results, dict):
            raise MalformedResponse("social actions: no `results` object", network=NETWORK)
        counts: dict[str, int] = {}
        for urn, actions in results.items():
            summary = actions.get("commentsSummary") if isinstance(actions, dict) else None
            total = summary.get("aggregatedTotalComments") if isinstance(summary, dict) else None
            if isinstance(total, int):
                counts[str(urn)] = total
        return counts

    def _read_post(
        self, post: str, walk: Walk, *, found: list[tuple[str, dict[str, Any]]], first_page_only: bool
    ) -> None:
        size = self.config.comments_page_size
        for _ in range(self.config.max_comment_pages):
            start = int(walk.page or 0)
            page = self.api.get(
                f"socialActions/{enc(post)}/comments", query=f"start={start}&count={size}", what="comments"
            )
            comments = elements(page, what="comments")
            entries = []
            for comment in comments:
                entries.append((_ms((comment.get("created") or {}).get("time"), what="comment"), comment))
                if _nested_count(comment) > 0:
                    entries += [
                        (_ms((reply.get("created") or {}).get("time"), what="reply"), reply)
                        for reply in self._all_comments(_comment_urn(comment))
                    ]
            found.extend((post, c) for c in walk.take((at, _comment_urn(c), c) for at, c in entries))
            total = (page.get("paging") or {}).get("total")
            end = start + len(comments)
            more = bool(comments) and (end < total if isinstance(total, int) else len(comments) >= size)
            walk.advance(str(end) if more and not first_page_only else None)
            if not walk.in_progress:
                return

    def _all_comments(self, target: str) -> list[dict[str, Any]]:
        """Every comment under `target` (a comment's nested replies), all pages."""
        size, start, out = self.config.comments_page_size, 0, []
        while True:
            page = self.api.get(
                f"socialActions/{enc(target)}/comments", query=f"start={start}&count={size}", what="replies"
            )
            batch = elements(page, what="replies")
            out += batch
            start += len(batch)
            total = (page.get("paging") or {}).get("total")
            if not batch or (start >= total if isinstance(total, int) else len(batch) < size):
                return out

    def _people(self, actors: set[str]) -> dict[str, AuthorProfile]:
        """Members' names, vanity names and headlines in one batch; a 403 leaves them unnamed."""
        ids = sorted(a.removeprefix(_PERSON) for a in actors if a.startswith(_PERSON))
        if not self.config.resolve_people or not ids:
            return {}
        try:
            page = self.api.get(
                "people", query=f"ids={restli_list([f'(id:{enc(i)})' for i in ids])}", what="people"
            )
        except NotPermitted:
            return {}
        results = page.get("results")
        profiles: dict[str, AuthorProfile] = {}
        for key, person in results.items() if isinstance(results, dict) else []:
            if not isinstance(person, dict):
                continue
            person_id = str(person.get("id") or key.removeprefix("(id:").removesuffix(")"))
            name = " ".join(
                part for part in (person.get("localizedFirstName"), person.get("localizedLastName")) if part
            )
            profiles[_PERSON + person_id] = AuthorProfile(
                external_id=_PERSON + person_id,
                handle=str(person.get("vanityName") or ""),
                name=name,
                avatar_is_default=person.get("profilePicture") is None,
                bio=person.get("localizedHeadline"),
            )
        return profiles

    def _item(self, post: str, comment: dict[str, Any], profiles: dict[str, AuthorProfile]) -> InboundItem:
        urn = _comment_urn(comment)
        actor = str(comment.get("actor") or (comment.get("created") or {}).get("actor") or "")
        parent = comment.get("parentComment")
        message = comment.get("message") or {}
        author = profiles.get(actor) or (AuthorProfile(external_id=actor) if actor else None)
        return InboundItem(
            external_id=urn,
            kind="reply" if parent else "comment",
            text=str(message.get("text") or ""),
            created_at=_ms((comment.get("created") or {}).get("time"), what="comment"),
            author=author,
            direction="outbound" if actor == self.config.organization_urn else "inbound",
            parent_external_id=str(parent) if parent else post,
            thread_external_id=post,
            url=f"https://www.linkedin.com/feed/update/{post}?commentUrn={enc(urn)}",
            raw=orjson.dumps(comment).decode(),
        )

    # -- writing ----------------------------------------------------------------------------------

    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        """On a comment URN: a nested comment (`parentComment`) on the comment's post; on a post URN: a
        comment on the post. The organisation is the actor."""
        matched = _COMMENT_URN.match(parent_external_id)
        body: dict[str, Any] = {
            "actor": self.config.organization_urn,
            "object": matched.group("object") if matched else parent_external_id,
            "message": {"text": text},
        }
        if matched:
            body["parentComment"] = parent_external_id
        answer = self.api.post(f"socialActions/{enc(parent_external_id)}/comments", body=body, what="reply")
        urn = answer.body.get("commentUrn") or answer.body.get("$URN")
        if not urn:
            created_id = answer.headers.get("x-restli-id") or answer.body.get("id")
            if not created_id:
                raise MalformedResponse("reply: no comment id in the answer", network=NETWORK)
            urn = f"urn:li:comment:({body['object']},{created_id})"
        created = (answer.body.get("created") or {}).get("time")
        return SentItem(
            external_id=str(urn),
            created_at=_ms(created, what="reply") if isinstance(created, int) else datetime.now(UTC),
            raw=answer.body,
        )

    def publish(self, *, text: str, idempotency_key: str, media_urls: list[str] | None = None) -> SentItem:
        urls = list(media_urls or [])
        images = upload_images(
            self.api, urls, owner=self.config.organization_urn, policy=self.context.outbound
        )
        commentary = escape_little_text("\n".join([text, *urls[MAX_IMAGES:]]))
        content = media_content(images)
        answer = self.api.post(
            "posts",
            body={
                **({"content": content} if content else {}),
                "author": self.config.organization_urn,
                "commentary": commentary,
                "visibility": "PUBLIC",
                "distribution": {
                    "feedDistribution": "MAIN_FEED",
                    "targetEntities": [],
                    "thirdPartyDistributionChannels": [],
                },
                "lifecycleState": "PUBLISHED",
                "isReshareDisabledByAuthor": False,
            },
            what="publish",
        )
        urn = answer.headers.get("x-restli-id") or answer.headers.get("x-linkedin-id")
        if not urn:
            raise MalformedResponse("publish: no post id in the x-restli-id header", network=NETWORK)
        return _sent_post(urn, datetime.now(UTC))

    def find_published(
        self, *, text: str, idempotency_key: str, since: datetime, media_urls: list[str] | None = None
    ) -> SentItem | None:
        """LinkedIn takes no idempotency key: the page's own newest posts are matched on the commentary."""
        commentary = escape_little_text("\n".join([text, *(media_urls or [])]))
        for post in self._own_posts(20):
            created = post.get("createdAt") or post.get("publishedAt")
            when = _ms(created, what="own posts") if isinstance(created, int) else None
            fits = post.get("id") and when is not None and when >= since
            if fits and when is not None and same_post(commentary, str(post.get("commentary") or "")):
                return _sent_post(str(post["id"]), when)
        return None

    # -- metrics ----------------------------------------------------------------------------------

    def metrics(self, *, since: datetime, until: datetime) -> list[MetricPoint]:
        """Today's follower count, and daily follower gains and page views between the two times."""
        org = enc(self.config.organization_urn)
        size = self.api.get(
            f"networkSizes/{org}", query="edgeType=COMPANY_FOLLOWED_BY_MEMBER", what="followers"
        )
        points: list[MetricPoint] = []
        if isinstance(size.get("firstDegreeSize"), int):
            points.append(
                MetricPoint(name="followers", at=datetime.now(UTC), value=float(size["firstDegreeSize"]))
            )
        start = max(since, until - timedelta(days=_STATS_MAX_DAYS))
        interval = (
            f"timeIntervals=(timeRange:(start:{int(start.timestamp() * 1000)},"
            f"end:{int(until.timestamp() * 1000)}),timeGranularityType:DAY)"
        )
        gains = self.api.get(
            "organizationalEntityFollowerStatistics",
            query=f"q=organizationalEntity&organizationalEntity={org}&{interval}",
            what="follower statistics",
        )
        for row in elements(gains, what="follower statistics"):
            gain = row.get("followerGains") or {}
            values = [gain.get("organicFollowerGain"), gain.get("paidFollowerGain")]
            at = _ms((row.get("timeRange") or {}).get("end"), what="follower statistics")
            points.append(
                MetricPoint(
                    name="follower_gains", at=at, value=float(sum(v for v in values if isinstance(v, int)))
                )
            )
        views = self.api.get(
            "organizationPageStatistics",
            query=f"q=organization&organization={org}&{interval}",
            what="page statistics",
        )
        for row in elements(views, what="page statistics"):
            page_views = (
                ((row.get("totalPageStatistics") or {}).get("views") or {}).get("allPageViews") or {}
            ).get("pageViews")
            if isinstance(page_views, int):
                at = _ms((row.get("timeRange") or {}).get("end"), what="page statistics")
                points.append(MetricPoint(name="page_views", at=at, value=float(page_views)))
        return points
