"""Listening over the API: queries, their results, quotas, and "answer this"."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, BackgroundTasks, Query
from pydantic import BaseModel

from tending.auth.deps import BrandPrincipal, CsrfChecked, CurrentPrincipal, CurrentWorkspace
from tending.database.core import DbSession
from tending.ingest.signals import after_ingest
from tending.listening import service
from tending.listening.deps import AppSettings, CurrentQuery, CurrentResult
from tending.listening.models import QueryIn, QueryRead, ResultPage, ResultRead, ResultState

router = APIRouter(tags=["listening"])


class QuotaRead(BaseModel):
    network: str
    spent: int
    allowed: int
    unit: str
    window_seconds: int
    resets_at: datetime | None
    description: str


class MovedRead(BaseModel):
    result: ResultRead
    conversation_id: int


@router.get("/workspaces/{workspace_id}/listening/queries", response_model=list[QueryRead])
def list_queries(workspace: CurrentWorkspace, db: DbSession) -> list[QueryRead]:
    return [QueryRead.model_validate(q) for q in service.list_queries(db, workspace_id=workspace.id)]


@router.post(
    "/workspaces/{workspace_id}/listening/queries",
    response_model=QueryRead,
    status_code=201,
    dependencies=[CsrfChecked],
)
def create_query(
    settings: AppSettings,
    workspace: CurrentWorkspace,
    principal: BrandPrincipal,
    db: DbSession,
    body: QueryIn,
) -> QueryRead:
    query = service.create_query(
        db, workspace_id=workspace.id, data=body, actor=principal.user, settings=settings
    )
    return QueryRead.model_validate(query)


@router.get("/workspaces/{workspace_id}/listening/results", response_model=ResultPage)
def list_results(
    workspace: CurrentWorkspace,
    db: DbSession,
    query_id: int | None = None,
    state: ResultState | None = ResultState.new,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> ResultPage:
    rows, total = service.list_results(
        db, workspace_id=workspace.id, query_id=query_id, state=state, limit=limit, offset=offset
    )
    return ResultPage(items=[ResultRead.model_validate(r) for r in rows], total=total)


@router.get("/workspaces/{workspace_id}/listening/quotas", response_model=list[QuotaRead])
def quotas(settings: AppSettings, workspace: CurrentWorkspace, db: DbSession) -> list[QuotaRead]:
    now = datetime.now(UTC)
    return [
        QuotaRead(**vars(service.quota_view(db, workspace_id=workspace.id, network=n, cls=cls, now=now)))
        for n, cls in sorted(service.searching_networks(settings).items())
    ]


@router.post(
    "/workspaces/{workspace_id}/listening/results/{result_id}/answer",
    response_model=MovedRead,
    dependencies=[CsrfChecked],
)
def answer_this(
    result: CurrentResult, principal: CurrentPrincipal, db: DbSession, background: BackgroundTasks
) -> MovedRead:
    conversation, new_ids = service.answer_this(db, result=result, actor=principal.user)
    db.commit()  # the hooks read the new message from their own sessions
    background.add_task(after_ingest, new_ids)
    return MovedRead(result=ResultRead.model_validate(result), conversation_id=conversation.id)


@router.post(
    "/workspaces/{workspace_id}/listening/results/{result_id}/dismiss",
    response_model=ResultRead,
    dependencies=[CsrfChecked],
)
def dismiss(result: CurrentResult, principal: CurrentPrincipal, db: DbSession) -> ResultRead:
    service.dismiss(db, result=result, actor=principal.user)
    return ResultRead.model_validate(result)


@router.get("/workspaces/{workspace_id}/listening/queries/{query_id}", response_model=QueryRead)
def get_query(query: CurrentQuery) -> QueryRead:
    return QueryRead.model_validate(query)
