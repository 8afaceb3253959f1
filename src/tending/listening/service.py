"""Listening queries: define them, run them on each network's search within its quota, read what they
found, and move a post into the desk ("answer this")."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from tending.audit.service import record
from tending.auth.models import User
from tending.campaign.models import Campaign, Scenario
from tending.campaign.scenarios import match_listening_results
from tending.channel.models import Channel, ChannelStatus
from tending.channel.service import ConfigRefused, build_connector
from tending.config import Settings
from tending.connectors.bases import (
    AuthorProfile,
    Connector,
    ConnectorError,
    InboundItem,
    RateLimited,
    SearchCapability,
    SearchQuery,
)
from tending.connectors.registry import offered
from tending.errors import Conflict, NotFound, Refused
from tending.inbox.models import Conversation, Message, MessageKind
from tending.ingest.service import ingest_items
from tending.listening.ingest import ResultStats, store_results, triage_results
from tending.listening.models import (
    ListeningQuery,
    ListeningResult,
    QueryIn,
    ResultState,
    SearchSpend,
)

log = logging.getLogger(__name__)

MAX_PAGES_PER_RUN = 10


def searching_networks(settings: Settings) -> dict[str, type[Connector]]:
    """The networks whose connector can search, among those this install offers."""
    return {slug: cls for slug, cls in offered(settings).items() if issubclass(cls, SearchCapability)}


def as_search(query: ListeningQuery) -> SearchQuery:
    return SearchQuery(
        terms=tuple(query.terms),
        phrases=tuple(query.phrases),
        exclusions=tuple(query.exclusions),
        languages=tuple(query.languages),
    )


def _check(session: Session, *, workspace_id: int, data: QueryIn, settings: Settings) -> None:
    if not data.terms and not data.phrases:
        raise Refused("a query needs at least one keyword or phrase")
    known = searching_networks(settings)
    unknown = [n for n in data.networks if n not in known]
    if unknown:
        raise Refused(f"no search on {', '.join(unknown)}; choose among {', '.join(sorted(known)) or 'none'}")
    if not data.networks:
        raise Refused("choose at least one network to search")
    if data.campaign_id is not None:
        campaign = session.get(Campaign, data.campaign_id)
        if campaign is None or campaign.workspace_id != workspace_id:
            raise Refused("campaign_id names no campaign of this workspace")


def create_query(
    session: Session, *, workspace_id: int, data: QueryIn, actor: User | None, settings: Settings
) -> ListeningQuery:
    _check(session, workspace_id=workspace_id, data=data, settings=settings)
    query = ListeningQuery(
        workspace_id=workspace_id,
        created_by_id=actor.id if actor else None,
        cursors={},
        **data.model_dump(),
    )
    session.add(query)
    session.flush()
    record(
        session,
        workspace_id=workspace_id,
        actor_id=actor.id if actor else None,
        action="listening.query_created",
        target_type="listening_query",
        target_id=query.id,
        detail={"name": query.name, "networks": query.networks},
    )
    return query


def query_from_campaign(
    session: Session, *, campaign: Campaign, networks: list[str], actor: User | None, settings: Settings
) -> ListeningQuery:
    """A query on the campaign's identifiers and its worst cases' triggers: the talk that does not tag
    the brand reaches the campaign's alerts too."""
    triggers = session.scalars(select(Scenario.trigger_keywords).where(Scenario.campaign_id == campaign.id))
    words: list[str] = []
    for w in [*campaign.hashtags, *campaign.keywords, *(k for ks in triggers for k in ks)]:
        if w.strip() and w.strip().lower() not in {x.lower() for x in words}:
            words.append(w.strip())
    terms = [w for w in words if " " not in w]
    phrases = [w for w in words if " " in w]
    data = QueryIn(
        name=f"Campaign: {campaign.name}"[:120],
        terms=terms[:40],
        phrases=phrases[:20],
        networks=networks,
        campaign_id=campaign.id,
    )
    return create_query(
        session, workspace_id=campaign.workspace_id, data=data, actor=actor, settings=settings
    )


def get_query(session: Session, *, workspace_id: int, query_id: int) -> ListeningQuery:
    query = session.get(ListeningQuery, query_id)
    if query is None or query.workspace_id != workspace_id:
        raise NotFound("listening query not found")
    return query


def list_queries(session: Session, *, workspace_id: int) -> list[ListeningQuery]:
    return list(
        session.scalars(
            select(ListeningQuery)
            .where(ListeningQuery.workspace_id == workspace_id)
            .order_by(ListeningQuery.id)
        )
    )


def set_active(session: Session, *, query: ListeningQuery, active: bool, actor: User | None) -> None:
    query.active = active
    record(
        session,
        workspace_id=query.workspace_id,
        actor_id=actor.id if actor else None,
        action="listening.query_resumed" if active else "listening.query_paused",
        target_type="listening_query",
        target_id=query.id,
    )


# -- quota --------------------------------------------------------------------------------------------


@dataclass
class QuotaView:
    network: str
    spent: int
    allowed: int
    window_seconds: int
    unit: str
    resets_at: datetime | None
    description: str

    @property
    def left(self) -> int:
        return max(self.allowed - self.spent, 0)


def _spend_row(session: Session, workspace_id: int, network: str) -> SearchSpend | None:
    return session.scalar(
        select(SearchSpend).where(SearchSpend.workspace_id == workspace_id, SearchSpend.network == network)
    )


def quota_view(session: Session, *, workspace_id: int, network: str, cls: Any, now: datetime) -> QuotaView:
    quota = cls.search_quota
    row = _spend_row(session, workspace_id, network)
    current = row is not None and _aware(row.window_start) + timedelta(seconds=quota.window_seconds) > now
    return QuotaView(
        network=network,
        spent=row.spent if row is not None and current else 0,
        allowed=quota.calls,
        window_seconds=quota.window_seconds,
        unit=quota.unit,
        resets_at=_aware(row.window_start) + timedelta(seconds=quota.window_seconds)
        if row is not None and current
        else None,
        description=quota.describe(),
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def spend(session: Session, *, workspace_id: int, network: str, cls: Any, now: datetime) -> bool:
    """Count one search call against the network's window; False (and nothing counted) when spent.

    tending keeps a tenth of each window unspent for the desk's own polling on the same account."""
    quota = cls.search_quota
    row = _spend_row(session, workspace_id, network)
    if row is None:
        row = SearchSpend(workspace_id=workspace_id, network=network, window_start=now, spent=0)
        session.add(row)
    elif _aware(row.window_start) + timedelta(seconds=quota.window_seconds) <= now:
        row.window_start, row.spent = now, 0
    budget = max(quota.calls - quota.calls // 10, 1)
    if row.spent + cls.search_cost > budget:
        return False
    row.spent += cls.search_cost
    session.flush()
    return True


# -- running ------------------------------------------------------------------------------------------


@dataclass
class RunOutcome:
    query_id: int
    pages: int = 0
    stats: ResultStats = field(default_factory=ResultStats)
    errors: dict[str, str] = field(default_factory=dict)
    out_of_quota: list[str] = field(default_factory=list)
    retry_after: float | None = None


def channel_networks(session: Session, *, workspace_id: int) -> set[str]:
    """The networks the workspace has an active channel on: those its queries can search."""
    return set(
        session.scalars(
            select(Channel.network).where(
                Channel.workspace_id == workspace_id, Channel.status == ChannelStatus.active.value
            )
        )
    )


def _search_channel(session: Session, *, workspace_id: int, network: str) -> Channel | None:
    """The workspace's channel on `network` whose account runs the search (the oldest active one)."""
    return session.scalar(
        select(Channel)
        .where(
            Channel.workspace_id == workspace_id,
            Channel.network == network,
            Channel.status == ChannelStatus.active.value,
        )
        .order_by(Channel.id)
        .limit(1)
    )


def run_query(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    query_id: int,
    now: datetime | None = None,
    max_pages: int = MAX_PAGES_PER_RUN,
    connector_for: Any = None,
) -> RunOutcome:
    """Runner: search each of the query's networks and commit each page with its cursor, so a run stopped
    by a failure or a spent quota resumes from the last stored page. `connector_for(channel)` replaces
    building the channel's connector (tests)."""
    outcome = RunOutcome(query_id=query_id)
    now = now or datetime.now(UTC)
    known = searching_networks(settings)
    with factory() as session:
        query = session.get(ListeningQuery, query_id)
        if query is None or not query.active:
            return outcome
        search = as_search(query)
        for network in list(query.networks):
            cls = known.get(network)
            channel = _search_channel(session, workspace_id=query.workspace_id, network=network)
            if cls is None or channel is None:
                outcome.errors[network] = f"no active {network} channel to search with"
                continue
            try:
                connector = (
                    connector_for(channel) if connector_for else build_connector(channel, settings=settings)
                )
            except ConfigRefused as exc:
                outcome.errors[network] = str(exc)
                continue
            try:
                _run_network(session, query, network, channel, connector, search, outcome, now, max_pages)
            finally:
                connector.close()
        query = session.get(ListeningQuery, query_id)
        if query is not None:
            query.last_run_at = now
            query.last_error = "; ".join(f"{n}: {e}" for n, e in outcome.errors.items())[:1000] or None
            session.commit()
    return outcome


def _run_network(
    session: Session,
    query: ListeningQuery,
    network: str,
    channel: Channel,
    connector: Connector,
    search: SearchQuery,
    outcome: RunOutcome,
    now: datetime,
    max_pages: int,
) -> None:
    if not isinstance(connector, SearchCapability):
        outcome.errors[network] = f"the {network} connector cannot search"
        return
    for _ in range(max_pages):
        if not spend(session, workspace_id=query.workspace_id, network=network, cls=type(connector), now=now):
            outcome.out_of_quota.append(network)
            session.commit()
            return
        cursor = dict((query.cursors or {}).get(network) or {})
        try:
            result = connector.search(search, cursor)
        except ConnectorError as exc:
            session.commit()  # the quota spent on the failed call stays counted
            outcome.errors[network] = str(exc)
            if isinstance(exc, RateLimited):
                outcome.retry_after = exc.retry_after
            return
        stats = store_results(
            session,
            workspace_id=query.workspace_id,
            query_id=query.id,
            network=network,
            channel_id=channel.id,
            items=result.items,
            received_at=now,
        )
        triage_results(session, stats.new_ids)
        if query.campaign_id is not None and stats.new_ids:
            match_listening_results(session, query_id=query.id, result_ids=stats.new_ids)
        query.cursors = {**(query.cursors or {}), network: result.cursor}
        session.commit()  # the page and its cursor land together
        outcome.pages += 1
        outcome.stats.add(stats)
        if not result.has_more:
            return


# -- reading ------------------------------------------------------------------------------------------


def list_results(
    session: Session,
    *,
    workspace_id: int,
    query_id: int | None = None,
    state: ResultState | None = ResultState.new,
    sentiment: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ListeningResult], int]:
    conditions = [ListeningResult.workspace_id == workspace_id]
    if query_id is not None:
        conditions.append(ListeningResult.query_id == query_id)
    if state is not None:
        conditions.append(ListeningResult.state == state.value)
    if sentiment:
        conditions.append(ListeningResult.sentiment == sentiment)
    total = session.scalar(select(func.count()).select_from(ListeningResult).where(*conditions)) or 0
    rows = session.scalars(
        select(ListeningResult)
        .where(*conditions)
        .order_by(ListeningResult.created_at.desc(), ListeningResult.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total)


def get_result(session: Session, *, workspace_id: int, result_id: int) -> ListeningResult:
    result = session.get(ListeningResult, result_id)
    if result is None or result.workspace_id != workspace_id:
        raise NotFound("listening result not found")
    return result


@dataclass(frozen=True)
class Bucket:
    at: datetime
    volume: int
    negative: int
    positive: int
    triaged: int


def result_series(
    session: Session, *, query_id: int, since: datetime, until: datetime, width: int = 86400
) -> list[Bucket]:
    """Results per bucket of `width` seconds (UTC, floored) with their sentiment counts, zeros included."""
    from tending.campaign.spikes import bucket_expression

    start = datetime.fromtimestamp(int(since.timestamp()) // width * width, tz=UTC)
    bucket = bucket_expression(session.get_bind().dialect.name, ListeningResult.created_at, width).label("b")
    rows = session.execute(
        select(
            bucket,
            func.count(),
            func.sum(case((ListeningResult.sentiment == "negative", 1), else_=0)),
            func.sum(case((ListeningResult.sentiment == "positive", 1), else_=0)),
            func.sum(case((ListeningResult.sentiment.is_not(None), 1), else_=0)),
        )
        .where(
            ListeningResult.query_id == query_id,
            ListeningResult.created_at >= start,
            ListeningResult.created_at < until,
        )
        .group_by(bucket)
    ).all()
    found = {int(b): (int(n), int(neg or 0), int(pos or 0), int(tri or 0)) for b, n, neg, pos, tri in rows}
    out = []
    at = start
    while at < until:
        n, neg, pos, tri = found.get(int(at.timestamp()), (0, 0, 0, 0))
        out.append(Bucket(at, n, neg, pos, tri))
        at += timedelta(seconds=width)
    return out


# -- moving a post into the desk ---------------------------------------------------------------------


def _as_item(result: ListeningResult) -> InboundItem:
    author = None
    if result.author_external_id:
        author = AuthorProfile(
            external_id=result.author_external_id, handle=result.author_handle, name=result.author_name
        )
    return InboundItem(
        external_id=result.external_id,
        kind=MessageKind.mention.value,
        text=result.text,
        created_at=_aware(result.created_at),
        author=author,
        url=result.url,
        language=result.language,
        raw=result.raw,
    )


def answer_this(
    session: Session, *, result: ListeningResult, actor: User | None
) -> tuple[Conversation, list[int]]:
    """Move the post into the desk as a work item that needs a reply, through ingestion (so it is the
    same message a mention would have been, and moving it twice finds the same conversation). Returns the
    conversation and the new message ids, which the caller hands to `after_ingest` once committed."""
    if result.state == ResultState.moved.value and result.conversation_id is not None:
        conversation = session.get(Conversation, result.conversation_id)
        if conversation is not None:
            return conversation, []
    channel = session.get(Channel, result.channel_id) if result.channel_id else None
    if channel is None:
        raise Conflict("the channel that found this post is gone; it cannot be answered from the desk")
    stats = ingest_items(session, channel=channel, items=[_as_item(result)])
    if stats.set_aside:
        raise Refused(f"the post cannot be stored: {stats.set_aside[0].describe()}")
    conversation_id = session.scalar(
        select(Message.conversation_id).where(
            Message.channel_id == channel.id, Message.external_id == result.external_id
        )
    )
    conversation = session.get(Conversation, conversation_id) if conversation_id else None
    if conversation is None:
        raise Conflict("the post could not be filed in the desk")
    result.conversation_id = conversation.id
    _mark(session, result, ResultState.moved, actor, {"conversation_id": conversation.id})
    return conversation, stats.new_message_ids


def dismiss(session: Session, *, result: ListeningResult, actor: User | None) -> None:
    if result.state == ResultState.moved.value:
        raise Conflict("this post is already in the desk")
    _mark(session, result, ResultState.dismissed, actor, {})


def _mark(
    session: Session, result: ListeningResult, state: ResultState, actor: User | None, detail: dict[str, Any]
) -> None:
    """Set the result's state, who set it and when, and audit it."""
    result.state = state.value
    result.state_by_id = actor.id if actor else None
    result.state_at = datetime.now(UTC)
    action = "listening.answer_this" if state == ResultState.moved else f"listening.{state.value}"
    record(
        session,
        workspace_id=result.workspace_id,
        actor_id=actor.id if actor else None,
        action=action,
        target_type="listening_result",
        target_id=result.id,
        detail={**detail, "network": result.network},
    )
