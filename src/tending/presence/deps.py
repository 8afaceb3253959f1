"""The conversation named in the path, loaded only within a workspace the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from tending.database.core import DbSession
from tending.errors import NotFound
from tending.inbox.models import Conversation
from tending.inbox.service import get_conversation
from tending.workspace.pages import PageWorkspace


def page_conversation(conversation_id: int, workspace: PageWorkspace, db: DbSession) -> Conversation:
    conv = get_conversation(db, workspace_id=workspace.id, conversation_id=conversation_id)
    if conv is None:
        raise NotFound("conversation not found")
    return conv


PageConversation = Annotated[Conversation, Depends(page_conversation)]
