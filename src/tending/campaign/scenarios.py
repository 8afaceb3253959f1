"""Recognising a prepared worst case in incoming messages, so the responder gets the plan, not a surprise.

A message fits a scenario when it contains one of the scenario's trigger keywords (whole word or
phrase, any case), or when it resembles one of its example messages: cosine similarity of TF-IDF
character n-grams (3-5, within word boundaries, so spelling variants and inflections still meet),
fitted over the campaign's example messages, at or above SIMILARITY_THRESHOLD. The campaign's own
hashtags, links and keywords are removed from both sides first: they fill the campaign's whole traffic
and the examples alike, so they say nothing about which worst case a message is. With them removed,
paraphrases of an example score 0.75-0.95 and ordinary messages on the same campaign 0.1-0.35 (see the
tests); 0.5 sits between. Character n-grams still see form more than meaning: a message built like an
example but saying the opposite can pass, which is why an alert is a prompt for a person, not an action.

Polarity narrows that gap: worst cases are negative, so a positive message (its triage label, or VADER
while triage has not run) fits a scenario only through an explicit trigger keyword, never by
resemblance. "Love the new packaging, fully recyclable" is built like "Your bag is not recyclable where
I live" and must not raise the sustainability scenario.

Only inbound, visible messages on a launched campaign's channels inside its period are read: backlash
often answers the campaign post without repeating its hashtag, so identifiers are not required here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from tending.alerts.models import IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.auth.models import User
from tending.campaign.models import AlertKind, Campaign, CampaignAlert, CampaignStatus, Scenario
from tending.campaign.polarity import PolarityReader
from tending.campaign.traffic import campaign_period
from tending.database.dialect import chunks
from tending.inbox.models import Direction, Message

SIMILARITY_THRESHOLD = 0.50
KEYWORD_SCORE = 1.0


@dataclass(frozen=True)
class ScenarioHit:
    scenario: Scenario
    score: float
    keywords: list[str]
    example: str | None
    similarity: float

    @property
    def by(self) -> str:
        if self.keywords and self.example:
            return "keyword+similarity"
        return "keyword" if self.keywords else "similarity"


def _keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    terms = sorted({k.strip().lower() for k in keywords if k and k.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE)


class ScenarioMatcher:
    """The scenarios of one campaign, made ready to score many texts at once."""

    def __init__(
        self,
        scenarios: Sequence[Scenario],
        *,
        ignore_terms: Sequence[str] = (),
        threshold: float = SIMILARITY_THRESHOLD,
    ) -> None:
        self.scenarios = list(scenarios)
        self.threshold = threshold
        self._patterns = [_keyword_pattern(s.trigger_keywords) for s in self.scenarios]
        self._ignore = _keyword_pattern(ignore_terms)
        self._examples: list[tuple[int, str]] = [
            (i, ex) for i, s in enumerate(self.scenarios) for ex in s.example_messages if ex and ex.strip()
        ]
        self._vectorizer: TfidfVectorizer | None = None
        self._matrix: Any = None
        if self._examples:
            vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
            self._matrix = vec.fit_transform([self._strip(ex) for _, ex in self._examples])
            self._vectorizer = vec

    def _strip(self, text: str) -> str:
        return self._ignore.sub(" ", text or "") if self._ignore is not None else (text or "")

    def match(self, texts: Sequence[str], *, positive: Sequence[bool] = ()) -> list[list[ScenarioHit]]:
        """For each text, the scenarios it fits, best first; a text marked positive fits by keyword only."""
        sims = None
        if self._vectorizer is not None and texts:
            sims = (self._vectorizer.transform([self._strip(t) for t in texts]) @ self._matrix.T).toarray()
        out: list[list[ScenarioHit]] = []
        for row, text in enumerate(texts):
            best: dict[int, tuple[float, str | None]] = {}
            if sims is not None and not (positive and positive[row]):
                for col in np.flatnonzero(sims[row] >= self.threshold):
                    owner, example_text = self._examples[int(col)]
                    value = float(sims[row, col])
                    if owner not in best or value > best[owner][0]:
                        best[owner] = (value, example_text)
            hits = []
            for idx, scenario in enumerate(self.scenarios):
                pattern = self._patterns[idx]
                found = sorted({m.lower() for m in pattern.findall(text or "")}) if pattern else []
                sim, example = best.get(idx, (0.0, None))
                if found or example:
                    score = max(KEYWORD_SCORE if found else 0.0, sim)
                    hits.append(ScenarioHit(scenario, round(score, 4), found, example, round(sim, 4)))
            out.append(sorted(hits, key=lambda h: -h.score))
        return out


def positive_flags(messages: Sequence[Message], reader: PolarityReader | None = None) -> list[bool]:
    """Which messages read as positive: the triage label first, VADER on the text otherwise."""
    reader = reader or PolarityReader()
    return [reader.label(sentiment=m.sentiment, text=m.text or "") == "positive" for m in messages]


def _in_period(campaign: Campaign, message: Message) -> bool:
    return _within(campaign, message.created_at)


def _within(campaign: Campaign, at: datetime) -> bool:
    start, end = campaign_period(campaign)
    return start is not None and at >= start and (end is None or at < end)


def scenario_detail(session: Session, hit: ScenarioHit) -> dict[str, Any]:
    """What the responder needs to act: the scenario, its prepared reaction, who answers, and why it fired."""
    s = hit.scenario
    responder = session.get(User, s.responder_id) if s.responder_id is not None else None
    return {
        "scenario_id": s.id,
        "scenario": s.title,
        "what_happens": s.what_happens,
        "reaction": s.reaction,
        "responder_id": s.responder_id,
        "responder": responder.name if responder else None,
        "matched_by": hit.by,
        "keywords": hit.keywords,
        "example": hit.example,
        "similarity": hit.similarity,
    }


def _scenario_alert(
    session: Session,
    *,
    campaign: Campaign,
    hit: ScenarioHit,
    at: datetime,
    detail: dict[str, Any],
    message_id: int | None,
    summary: str,
    evidence: dict[str, Any],
    **signal_fields: Any,
) -> tuple[CampaignAlert, AlertSignal]:
    """One scenario match: the campaign's alert row and its signal for the alerts inbox (a message of the
    desk or a post heard by listening, named in `evidence`)."""
    alert = CampaignAlert(
        workspace_id=campaign.workspace_id,
        campaign_id=campaign.id,
        scenario_id=hit.scenario.id,
        message_id=message_id,
        kind=AlertKind.scenario_match.value,
        at=at,
        score=hit.score,
        detail=detail,
    )
    session.add(alert)
    signal = AlertSignal(
        kind=IncidentKind.scenario_match,
        at=at,
        title=f"Messages fit the worst case “{hit.scenario.title}”",
        summary=summary,
        campaign_id=campaign.id,
        evidence={
            "scenario": hit.scenario.title,
            "reaction": detail.get("reaction"),
            "responder": detail.get("responder"),
            "excerpt": detail["message_excerpt"],
            **evidence,
        },
        **signal_fields,
    )
    return alert, signal


def match_scenarios_batch(session: Session, *, message_ids: Sequence[int]) -> list[CampaignAlert]:
    """Alerts for new messages that fit a prepared scenario; run once per ingested batch.

    One query for the messages, one for the launched campaigns of their workspaces, one matcher per
    campaign for the whole batch, one query for alerts already raised: cost grows with the batch, not
    with the number of scenarios times messages in SQL.
    """
    # Most batches arrive while no campaign is launched: then there is nothing to read at all.
    if (
        session.scalar(select(Campaign.id).where(Campaign.status == CampaignStatus.launched.value).limit(1))
        is None
    ):
        return []
    messages: list[Message] = []
    for part in chunks(sorted(set(message_ids))):
        messages.extend(
            session.scalars(
                select(Message).where(
                    Message.id.in_(part),
                    Message.direction == Direction.inbound.value,
                    Message.hidden.is_(False),
                )
            )
        )
    if not messages:
        return []
    campaigns = list(
        session.scalars(
            select(Campaign).where(
                Campaign.workspace_id.in_({m.workspace_id for m in messages}),
                Campaign.status == CampaignStatus.launched.value,
            )
        )
    )
    alerts: list[CampaignAlert] = []
    reader = PolarityReader()
    for campaign in campaigns:
        channel_ids = {c.id for c in campaign.channels}
        batch = [
            m
            for m in messages
            if m.workspace_id == campaign.workspace_id
            and m.channel_id in channel_ids
            and _in_period(campaign, m)
        ]
        if not batch:
            continue
        scenarios = list(session.scalars(select(Scenario).where(Scenario.campaign_id == campaign.id)))
        if not scenarios:
            continue
        matcher = ScenarioMatcher(scenarios, ignore_terms=campaign.identifiers)
        results = matcher.match([m.text for m in batch], positive=positive_flags(batch, reader))
        wanted = [(m.id, h.scenario.id) for m, hits in zip(batch, results, strict=True) for h in hits]
        seen: set[tuple[int, int]] = set()
        signals: list[AlertSignal] = []
        for part_pairs in chunks(wanted, 400):
            seen.update(
                (int(a), int(b))
                for a, b in session.execute(
                    select(CampaignAlert.message_id, CampaignAlert.scenario_id).where(
                        tuple_(CampaignAlert.message_id, CampaignAlert.scenario_id).in_(part_pairs)
                    )
                )
                if a is not None and b is not None
            )
        for message, hits in zip(batch, results, strict=True):
            for hit in hits:
                if (message.id, hit.scenario.id) in seen:
                    continue
                seen.add((message.id, hit.scenario.id))
                detail = scenario_detail(session, hit)
                detail["message_excerpt"] = (message.text or "")[:280]
                alert, signal = _scenario_alert(
                    session,
                    campaign=campaign,
                    hit=hit,
                    at=message.created_at,
                    detail=detail,
                    message_id=message.id,
                    summary=f"Fits “{hit.scenario.title}” ({hit.by})",
                    evidence={"message_id": message.id},
                    message_ids=[message.id],
                    conversation_ids=[message.conversation_id],
                )
                alerts.append(alert)
                signals.append(signal)
        if signals:
            record_alerts(session, workspace_id=campaign.workspace_id, signals=signals)
    session.flush()
    return alerts


def match_scenarios(session: Session, *, message: Message) -> list[CampaignAlert]:
    """Alerts for one message (see `match_scenarios_batch`)."""
    return match_scenarios_batch(session, message_ids=[message.id])


def match_listening_results(
    session: Session, *, query_id: int, result_ids: Sequence[int]
) -> list[CampaignAlert]:
    """Alerts for new search results of a campaign's query that fit one of its prepared scenarios.

    The same matcher as for messages, so talk that never tags the brand is read for the worst cases
    too. An alert has no message: its detail names the result. Each (scenario, result) alerts once.
    """
    from tending.listening.models import ListeningQuery, ListeningResult

    query = session.get(ListeningQuery, query_id)
    if query is None or query.campaign_id is None or not result_ids:
        return []
    campaign = session.get(Campaign, query.campaign_id)
    if campaign is None or campaign.status != CampaignStatus.launched.value:
        return []
    scenarios = list(session.scalars(select(Scenario).where(Scenario.campaign_id == campaign.id)))
    if not scenarios:
        return []
    batch: list[Any] = []
    for part in chunks(sorted(set(result_ids))):
        batch.extend(
            session.scalars(
                select(ListeningResult).where(
                    ListeningResult.id.in_(part), ListeningResult.query_id == query.id
                )
            )
        )
    batch = [r for r in batch if _within(campaign, r.created_at)]
    if not batch:
        return []
    reader = PolarityReader()
    positive = [reader.label(sentiment=r.sentiment, text=r.text or "") == "positive" for r in batch]
    found = ScenarioMatcher(scenarios, ignore_terms=campaign.identifiers).match(
        [r.text for r in batch], positive=positive
    )
    seen: set[tuple[int, int]] = set()
    for scenario_id, detail in session.execute(
        select(CampaignAlert.scenario_id, CampaignAlert.detail).where(
            CampaignAlert.campaign_id == campaign.id,
            CampaignAlert.message_id.is_(None),
            CampaignAlert.kind == AlertKind.scenario_match.value,
        )
    ):
        rid = (detail or {}).get("listening_result_id")
        if scenario_id is not None and rid is not None:
            seen.add((int(rid), int(scenario_id)))
    alerts: list[CampaignAlert] = []
    signals: list[AlertSignal] = []
    for result, hits in zip(batch, found, strict=True):
        for hit in hits:
            if (result.id, hit.scenario.id) in seen:
                continue
            seen.add((result.id, hit.scenario.id))
            detail = scenario_detail(session, hit)
            detail.update(
                listening_result_id=result.id,
                listening_query_id=query.id,
                listening_query=query.name,
                network=result.network,
                url=result.url,
                message_excerpt=(result.text or "")[:280],
            )
            alert, signal = _scenario_alert(
                session,
                campaign=campaign,
                hit=hit,
                at=result.created_at,
                detail=detail,
                message_id=None,
                summary=f"Untagged talk fits “{hit.scenario.title}” ({hit.by})",
                evidence={"listening_result_id": result.id, "network": result.network, "url": result.url},
                key=f"listening:{result.id}:{hit.scenario.id}",
            )
            alerts.append(alert)
            signals.append(signal)
    if signals:
        record_alerts(session, workspace_id=campaign.workspace_id, signals=signals)
    session.flush()
    return alerts
