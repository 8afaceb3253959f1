"""The conversation named in the path, within a workspace the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tending.auth.deps import CurrentWorkspace
from tending.config import Settings
from tending.database.core import DbSession
from tending.errors import NotFound
from tending.inbox.models import Conversation
from tending.inbox.service import get_conversation
from tending.workspace.pages import PageWorkspace


def _conversation(db: DbSession, workspace_id: int, conversation_id: int) -> Conversation:
    conversation = get_conversation(db, workspace_id=workspace_id, conversation_id=conversation_id)
    if conversation is None:
        raise NotFound("conversation not found")
    return conversation


def current_conversation(conversation_id: int, workspace: CurrentWorkspace, db: DbSession) -> Conversation:
    return _conversation(db, workspace.id, conversation_id)


def page_conversation(conversation_id: int, workspace: PageWorkspace, db: DbSession) -> Conversation:
    return _conversation(db, workspace.id, conversation_id)


CurrentConversation = Annotated[Conversation, Depends(current_conversation)]
PageConversation = Annotated[Conversation, Depends(page_conversation)]


def app_settings(request: Request) -> Settings:
    """The settings the app was built with (tests and the demo build apps with their own)."""
    return request.app.state.settings


AppSettings = Annotated[Settings, Depends(app_settings)]
