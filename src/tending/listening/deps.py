"""The listening query or result named in the path, loaded only within a workspace the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tending.auth.deps import CurrentWorkspace
from tending.config import Settings
from tending.database.core import DbSession
from tending.listening import service
from tending.listening.models import ListeningQuery, ListeningResult
from tending.workspace.pages import PageWorkspace


def current_query(query_id: int, workspace: CurrentWorkspace, db: DbSession) -> ListeningQuery:
    return service.get_query(db, workspace_id=workspace.id, query_id=query_id)


def page_query(query_id: int, workspace: PageWorkspace, db: DbSession) -> ListeningQuery:
    return service.get_query(db, workspace_id=workspace.id, query_id=query_id)


def current_result(result_id: int, workspace: CurrentWorkspace, db: DbSession) -> ListeningResult:
    return service.get_result(db, workspace_id=workspace.id, result_id=result_id)


def page_result(result_id: int, workspace: PageWorkspace, db: DbSession) -> ListeningResult:
    return service.get_result(db, workspace_id=workspace.id, result_id=result_id)


CurrentQuery = Annotated[ListeningQuery, Depends(current_query)]
PageQuery = Annotated[ListeningQuery, Depends(page_query)]
CurrentResult = Annotated[ListeningResult, Depends(current_result)]
PageResult = Annotated[ListeningResult, Depends(page_result)]


def app_settings(request: Request) -> Settings:
    """The settings the app was built with (tests and the demo build apps with their own)."""
    return request.app.state.settings


AppSettings = Annotated[Settings, Depends(app_settings)]
