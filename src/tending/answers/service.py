"""Suggesting prepared answers for a message, and catching replies that have become copy-paste.

Ranking uses TF-IDF over word 1-2-grams and character 3-5-grams (robust to typos and inflections),
fitted on the workspace's answers and its recent outbound replies, so rare brand words weigh more than
"thanks". Each answer gets three signals, reported with the score:

- text: cosine between the message and the answer;
- good replies: the answer's resemblance to a past reply that worked (the customer then wrote back
  positively, or the conversation was resolved) on a message like this one, as the geometric mean of
  two cosines (this message to the message that reply answered, the answer to the reply), so both must
  be high;
- topics: whether the answer is tagged with one of the message's triage topics.

score = 0.6 * text + 0.3 * good replies + 0.1 * topics.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.pipeline import FeatureUnion
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from tending.answers.models import PreparedAnswer, PreparedAnswerCreate
from tending.database.core import utcnow
from tending.inbox.models import Conversation, ConversationStatus, Direction, Message

WEIGHT_TEXT, WEIGHT_GOOD, WEIGHT_TOPIC = 0.6, 0.3, 0.1
MAX_GOOD_REPLIES = 500  # most recent replies that worked, compared with each message
MAX_PAST_REPLIES = 2000  # most recent outbound replies searched for good ones
# Template fatigue: this many near-identical sends within the window flag a reply as canned.
FATIGUE_SENDS = 5
FATIGUE_DAYS = 30
NEAR_IDENTICAL = 0.92  # character n-gram cosine at or above which two replies count as the same text


@dataclass(frozen=True)
class Suggestion:
    answer_id: int
    title: str
    score: float
    text_similarity: float
    good_reply_similarity: float
    topic_match: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HumanityCheck:
    flagged: bool
    identical_sends: int
    threshold: int
    window_days: int
    template_id: int | None
    template_similarity: float
    reasons: list[str] = field(default_factory=list)


def create_answer(
    session: Session, *, workspace_id: int, author_id: int | None, answer_in: PreparedAnswerCreate
) -> PreparedAnswer:
    answer = PreparedAnswer(workspace_id=workspace_id, author_id=author_id, **answer_fields(answer_in))
    session.add(answer)
    session.flush()
    return answer


def answer_fields(answer_in: PreparedAnswerCreate) -> dict[str, Any]:
    """The stored form of an answer's editable fields (topics lower-cased, URLs as text)."""
    return {
        "title": answer_in.title,
        "body": answer_in.body,
        "topics": [t.strip().lower() for t in answer_in.topics if t.strip()],
        "examples": [e.strip() for e in answer_in.examples if e.strip()],
        "links": [str(u) for u in answer_in.links],
        "attachments": [{"name": a.name, "url": str(a.url)} for a in answer_in.attachments],
    }


def _normalise(text: str) -> str:
    """Case, spacing and punctuation do not make a reply personal; they are ignored when comparing."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def _text_vectorizer() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)),
        ]
    )


def _char_similarity(text: str, others: list[str]) -> np.ndarray:
    if not others:
        return np.zeros(0)
    # Raw n-gram counts, not IDF: on a handful of texts IDF would blow up one changed word.
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), use_idf=False)
    matrix = vec.fit_transform([_normalise(text)] + [_normalise(o) for o in others])
    return np.asarray(cosine_similarity(matrix[0], matrix[1:])).ravel()


def record_use(
    session: Session, *, answer_id: int, sent_text: str, now: datetime | None = None
) -> PreparedAnswer:
    """Count a send based on the answer, and whether it went out unchanged."""
    answer = session.get(PreparedAnswer, answer_id)
    if answer is None:
        raise LookupError(f"no prepared answer with id {answer_id}")
    answer.use_count = (answer.use_count or 0) + 1
    answer.last_used_at = now or utcnow()
    if _char_similarity(answer.body, [sent_text])[0] >= NEAR_IDENTICAL:
        answer.unchanged_count = (answer.unchanged_count or 0) + 1
    return answer


def _good_replies(session: Session, workspace_id: int) -> list[tuple[int, str, str]]:
    """(id, text, question) of recent outbound replies that worked: the conversation was resolved, or the
    customer then wrote back positively; question = the inbound message the reply followed. Only the
    last MAX_PAST_REPLIES replies are looked at, so the cost does not grow with the brand's history."""
    later = aliased(Message)
    positive_after = exists().where(
        later.conversation_id == Message.conversation_id,
        later.direction == Direction.inbound.value,
        later.created_at > Message.created_at,
        later.sentiment == "positive",
    )
    resolved = or_(
        Conversation.resolved_at.is_not(None), Conversation.status == ConversationStatus.closed.value
    )
    before = aliased(Message)
    question = (
        select(before.text)
        .where(
            before.conversation_id == Message.conversation_id,
            before.direction == Direction.inbound.value,
            before.created_at <= Message.created_at,
        )
        .order_by(before.created_at.desc(), before.id.desc())
        .limit(1)
        .correlate(Message)
        .scalar_subquery()
    )
    recent = (
        select(Message.id)
        .where(
            Message.workspace_id == workspace_id,
            Message.direction == Direction.outbound.value,
            func.length(Message.text) > 0,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(MAX_PAST_REPLIES)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Message.id, Message.text, question)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.id.in_(recent), or_(positive_after, resolved))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(MAX_GOOD_REPLIES)
    ).all()
    return [(rid, text, asked or "") for rid, text, asked in rows]


@dataclass(frozen=True)
class _Fit:
    vectorizer: FeatureUnion
    answers: Any  # sparse rows: each answer's title and body
    examples: Any  # each example message
    questions: Any  # what each good reply answered
    answer_to_good: np.ndarray  # (answers, good replies) cosines


@functools.lru_cache(maxsize=8)
def _fitted(
    answer_docs: tuple[str, ...],
    examples: tuple[tuple[int, str], ...],
    good: tuple[tuple[int, str, str], ...],
) -> _Fit:
    """The vectorizer fitted on these exact texts, with their vectors: the same answers and good replies
    are asked about on every thread opened until a reply goes out or an answer changes, and fitting
    character n-grams on 500 replies is what a thread page's time went to. Keyed by content, so a
    change is seen at once."""
    vectorizer = _text_vectorizer()
    vectorizer.fit([*answer_docs, *(e for _, e in examples), *(text for _, text, _ in good)])
    answer_m = vectorizer.transform(list(answer_docs))
    return _Fit(
        vectorizer=vectorizer,
        answers=answer_m,
        examples=vectorizer.transform([e for _, e in examples]) if examples else None,
        questions=vectorizer.transform([q for _, _, q in good]) if good else None,
        answer_to_good=(
            np.asarray(cosine_similarity(answer_m, vectorizer.transform([t for _, t, _ in good])))
            if good
            else np.zeros((len(answer_docs), 0))
        ),
    )


def suggest_answers(session: Session, *, message: Message, limit: int = 5) -> list[Suggestion]:
    """The prepared answers that best fit a message, best first, each with its signals and reasons."""
    answers = list(
        session.scalars(
            select(PreparedAnswer)
            .where(PreparedAnswer.workspace_id == message.workspace_id)
            .order_by(PreparedAnswer.id)
        )
    )
    if not answers or not message.text.strip():
        return []
    good = tuple(r for r in _good_replies(session, message.workspace_id) if r[0] != message.id)
    # Example messages an expert wrote for an answer ("where is my parcel?") match customers' wording
    # better than the answer itself does; each answer counts its best-matching example.
    examples = tuple((i, e) for i, a in enumerate(answers) for e in (a.examples or []) if e.strip())
    fit = _fitted(tuple(f"{a.title}\n{a.body}" for a in answers), examples, good)
    msg_v = fit.vectorizer.transform([message.text])
    text_sim = np.asarray(cosine_similarity(msg_v, fit.answers)).ravel()
    example_sim = np.zeros(len(answers))
    if examples:
        sims = np.asarray(cosine_similarity(msg_v, fit.examples)).ravel()
        np.maximum.at(example_sim, np.array([i for i, _ in examples]), sims)
    text_sim = np.maximum(text_sim, example_sim)

    good_sim = np.zeros(len(answers))
    good_ref: list[int | None] = [None] * len(answers)
    if good:
        # How alike the message is to what each good reply answered, and each answer to each good reply.
        to_msg = np.asarray(cosine_similarity(msg_v, fit.questions)).ravel()
        joint = np.sqrt(np.clip(fit.answer_to_good, 0, None) * np.clip(to_msg, 0, None)[None, :])
        best = joint.argmax(axis=1)
        good_sim = joint[np.arange(len(answers)), best]
        good_ref = [good[int(b)][0] if good_sim[i] > 0 else None for i, b in enumerate(best)]

    msg_topics = {t.lower() for t in (message.topics or [])}
    out: list[Suggestion] = []
    for i, answer in enumerate(answers):
        shared = sorted(msg_topics & {t.lower() for t in answer.topics or []})
        score = (
            WEIGHT_TEXT * text_sim[i] + WEIGHT_GOOD * good_sim[i] + WEIGHT_TOPIC * (1.0 if shared else 0.0)
        )
        if score <= 0:
            continue
        reasons = [
            f"close to example message ({text_sim[i]:.2f})"
            if example_sim[i] >= text_sim[i] and example_sim[i] > 0
            else f"wording matches the message ({text_sim[i]:.2f})"
        ]
        if good_ref[i] is not None:
            reasons.append(
                f"resembles reply #{good_ref[i]} that worked on a similar message ({good_sim[i]:.2f})"
            )
        if shared:
            reasons.append("shares topic(s): " + ", ".join(shared))
        if answer.use_count and answer.unchanged_count >= FATIGUE_SENDS:
            reasons.append(f"sent unchanged {answer.unchanged_count} times: personalise it")
        out.append(
            Suggestion(
                answer_id=answer.id,
                title=answer.title,
                score=round(float(score), 4),
                text_similarity=round(float(text_sim[i]), 4),
                good_reply_similarity=round(float(good_sim[i]), 4),
                topic_match=bool(shared),
                reasons=reasons,
            )
        )
    out.sort(key=lambda s: (-s.score, s.answer_id))
    return out[:limit]


def check_reply_humanity(
    session: Session, *, workspace_id: int, text: str, now: datetime | None = None
) -> HumanityCheck:
    """Flag a draft that is (near-)identical to what went out FATIGUE_SENDS times or more in FATIGUE_DAYS
    days: customers notice canned replies, and a brand that answers must sound like people."""
    now = now or utcnow()
    draft = _normalise(text)
    if not draft:
        return HumanityCheck(False, 0, FATIGUE_SENDS, FATIGUE_DAYS, None, 0.0, [])
    n = len(draft)
    # Near-identical texts have near-identical lengths; the length window keeps the comparison small.
    sent = list(
        session.scalars(
            select(Message.text).where(
                Message.workspace_id == workspace_id,
                Message.direction == Direction.outbound.value,
                Message.created_at >= now - timedelta(days=FATIGUE_DAYS),
                Message.created_at <= now,
                and_(
                    func.length(Message.text) >= math.floor(n * 0.8),
                    func.length(Message.text) <= math.ceil(n * 1.25),
                ),
            )
        )
    )
    sims = _char_similarity(draft, sent)
    identical = int(
        sum(1 for s, t in zip(sims, sent, strict=True) if s >= NEAR_IDENTICAL or _normalise(t) == draft)
    )
    answers = list(session.scalars(select(PreparedAnswer).where(PreparedAnswer.workspace_id == workspace_id)))
    template_id, template_sim = None, 0.0
    if answers:
        a_sims = _char_similarity(draft, [a.body for a in answers])
        best = int(a_sims.argmax())
        if a_sims[best] >= NEAR_IDENTICAL:
            template_id, template_sim = answers[best].id, float(a_sims[best])
    reasons: list[str] = []
    flagged = identical >= FATIGUE_SENDS
    if flagged:
        reasons.append(
            f"the same text went out {identical} times in the last {FATIGUE_DAYS} days "
            f"(limit {FATIGUE_SENDS - 1}); add something specific to this customer"
        )
    if template_id is not None:
        reasons.append(f"unchanged copy of prepared answer #{template_id} ({template_sim:.2f})")
    return HumanityCheck(
        flagged, identical, FATIGUE_SENDS, FATIGUE_DAYS, template_id, round(template_sim, 4), reasons
    )
