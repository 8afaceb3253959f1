"""The listening page: queries, what they heard (volume and sentiment over time), the quota each network
has left, and "answer this". Thin: the service checks, stores and audits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from tending.auth.deps import BrandPagePrincipal, CsrfChecked, PagePrincipal
from tending.campaign.models import Campaign
from tending.database.core import DbSession
from tending.ingest.signals import after_ingest
from tending.listening import service
from tending.listening.deps import AppSettings, PageQuery, PageResult
from tending.listening.models import QueryAction, QueryIn, ResultState
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context

router = APIRouter()
NAV = [(15, "listening", "Listening", "/listening")]
PAGE_SIZE = 30
CHART_DAYS = 30
STATES = {"new": ResultState.new, "moved": ResultState.moved, "dismissed": ResultState.dismissed, "all": None}


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _chart(db: DbSession, query_id: int) -> dict[str, object]:
    """The bar chart of `charts.js`: results per day, the negative ones drawn over them."""
    until = datetime.now(UTC)
    series = service.result_series(
        db, query_id=query_id, since=until - timedelta(days=CHART_DAYS), until=until
    )
    return {
        "labels": [b.at.strftime("%d %b") for b in series],
        "values": [b.volume for b in series],
        "label": "posts heard",
        "highlight": {"label": "negative", "values": [b.negative for b in series]},
        "ylabel": "posts per day",
        "positive": [b.positive for b in series],
    }


@router.get("/w/{slug}/listening")
def listening_page(
    settings: AppSettings,
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    query: int | None = None,
    state: str = "new",
    page: int = 1,
) -> Response:
    queries = service.list_queries(db, workspace_id=workspace.id)
    selected = next((q for q in queries if q.id == query), None)
    state = state if state in STATES else "new"
    page = max(page, 1)
    results, total = service.list_results(
        db,
        workspace_id=workspace.id,
        query_id=selected.id if selected else None,
        state=STATES[state],
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    names = {q.id: q.name for q in queries}
    now = datetime.now(UTC)
    searching = service.searching_networks(settings)
    connected = service.channel_networks(db, workspace_id=workspace.id)
    networks = {n: cls for n, cls in searching.items() if n in connected}
    chart_query = selected or (queries[0] if queries else None)
    return render(
        request,
        "listening/page.html",
        principal=principal,
        queries=queries,
        selected=selected,
        chart_query=chart_query,
        chart=_chart(db, chart_query.id) if chart_query else None,
        results=results,
        names=names,
        total=total,
        state=state,
        states=list(STATES),
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        networks=sorted(networks),
        titles={n: cls.title for n, cls in searching.items()},
        idle_networks=sorted(cls.title for n, cls in searching.items() if n not in connected),
        quotas=[
            service.quota_view(db, workspace_id=workspace.id, network=n, cls=cls, now=now)
            for n, cls in sorted(networks.items())
        ],
        campaigns=list(
            db.scalars(select(Campaign).where(Campaign.workspace_id == workspace.id).order_by(Campaign.name))
        ),
        **page_context(db, principal, workspace, "listening"),
    )


@router.post("/w/{slug}/listening/queries", dependencies=[CsrfChecked])
def create_query_page(
    settings: AppSettings,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    name: str = Form(..., max_length=120),
    terms: str = Form(""),
    phrases: str = Form(""),
    exclusions: str = Form(""),
    languages: str = Form(""),
    networks: list[str] = Form(default_factory=list),
) -> RedirectResponse:
    data = QueryIn(
        name=name,
        terms=_split(terms),
        phrases=_split(phrases),
        exclusions=_split(exclusions),
        languages=_split(languages),
        networks=networks,
    )
    query = service.create_query(
        db, workspace_id=workspace.id, data=data, actor=principal.user, settings=settings
    )
    db.commit()  # before the redirect: the next request must see the change
    return RedirectResponse(f"/w/{workspace.slug}/listening?query={query.id}", status_code=303)


@router.post("/w/{slug}/listening/from-campaign", dependencies=[CsrfChecked])
def from_campaign_page(
    settings: AppSettings,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    campaign_id: int = Form(...),
    networks: list[str] = Form(default_factory=list),
) -> RedirectResponse:
    from tending.campaign.service import get_campaign

    campaign = get_campaign(db, campaign_id=campaign_id, workspace_id=workspace.id)
    query = service.query_from_campaign(
        db, campaign=campaign, networks=networks, actor=principal.user, settings=settings
    )
    db.commit()  # before the redirect: the next request must see the change
    return RedirectResponse(f"/w/{workspace.slug}/listening?query={query.id}", status_code=303)


@router.post("/w/{slug}/listening/queries/{query_id}/{action}", dependencies=[CsrfChecked])
def query_action_page(
    action: QueryAction,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    query: PageQuery,
) -> RedirectResponse:
    if action == QueryAction.run:
        from tending.listening.tasks import run_query_task

        run_query_task(query.id)
    else:
        service.set_active(db, query=query, active=action == QueryAction.resume, actor=principal.user)
    db.commit()  # before the redirect: the next request must see the change
    return RedirectResponse(f"/w/{workspace.slug}/listening?query={query.id}", status_code=303)


@router.post("/w/{slug}/listening/results/{result_id}/answer", dependencies=[CsrfChecked])
def answer_this_page(
    db: DbSession,
    workspace: PageWorkspace,
    principal: PagePrincipal,
    result: PageResult,
    background: BackgroundTasks,
) -> RedirectResponse:
    conversation, new_ids = service.answer_this(db, result=result, actor=principal.user)
    db.commit()  # before the redirect: the next request must see the change
    background.add_task(after_ingest, new_ids)  # triage, routing and scenario matching, once answered
    return RedirectResponse(f"/w/{workspace.slug}/inbox/{conversation.id}", status_code=303)


@router.post("/w/{slug}/listening/results/{result_id}/dismiss", dependencies=[CsrfChecked])
def dismiss_page(
    db: DbSession,
    workspace: PageWorkspace,
    principal: PagePrincipal,
    result: PageResult,
    next_url: str = Form("", alias="next"),
) -> RedirectResponse:
    service.dismiss(db, result=result, actor=principal.user)
    db.commit()  # before the redirect: the next request must see the change
    prefix = f"/w/{workspace.slug}/listening"
    target = next_url if next_url.startswith(prefix) and "//" not in next_url else prefix
    return RedirectResponse(target, status_code=303)
