"""Channels: list, connect (credentials are write-only), poll now, import a file."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, UploadFile, status

from tending.auth.deps import BrandPrincipal, CsrfChecked, CurrentWorkspace
from tending.channel import service
from tending.channel.models import Channel, ChannelCreate, ChannelCredentials, ChannelRead
from tending.database.core import DbSession
from tending.ingest import upload

router = APIRouter(tags=["channels"])


def _channel(db: DbSession, workspace_id: int, channel_id: int) -> Channel:
    channel = db.get(Channel, channel_id)
    if channel is None or channel.workspace_id != workspace_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "channel not found")
    return channel


@router.get("/workspaces/{workspace_id}/channels", response_model=list[ChannelRead])
def list_channels(workspace: CurrentWorkspace, db: DbSession) -> list[ChannelRead]:
    return [service.to_read(c) for c in service.list_for_workspace(db, workspace_id=workspace.id)]


@router.post(
    "/workspaces/{workspace_id}/channels",
    response_model=ChannelRead,
    status_code=201,
    dependencies=[CsrfChecked],
)
def create_channel(
    workspace: CurrentWorkspace,
    body: ChannelCreate,
    db: DbSession,
    principal: BrandPrincipal,
    request: Request,
) -> ChannelRead:
    channel = service.connect(
        db,
        settings=request.app.state.settings,
        workspace_id=workspace.id,
        actor_id=principal.user.id,
        channel_in=body,
    )
    return service.to_read(channel)


@router.put(
    "/workspaces/{workspace_id}/channels/{channel_id}/credentials",
    response_model=ChannelRead,
    dependencies=[CsrfChecked],
)
def update_credentials(
    workspace: CurrentWorkspace,
    channel_id: int,
    body: ChannelCredentials,
    db: DbSession,
    principal: BrandPrincipal,
    request: Request,
) -> ChannelRead:
    """Reconnect a channel: new credentials, and polling resumes."""
    channel = _channel(db, workspace.id, channel_id)
    service.set_credentials(
        db,
        settings=request.app.state.settings,
        channel=channel,
        credentials=body.credentials,
        actor_id=principal.user.id,
    )
    return service.to_read(channel)


@router.post(
    "/workspaces/{workspace_id}/channels/{channel_id}/import", dependencies=[CsrfChecked], status_code=200
)
def import_upload(
    workspace: CurrentWorkspace,
    channel_id: int,
    file: UploadFile,
    db: DbSession,
    principal: BrandPrincipal,
    request: Request,
    format: str | None = None,
) -> dict[str, object]:
    """Import a generic JSONL/CSV file or a network export into this channel."""
    channel = _channel(db, workspace.id, channel_id)
    db.commit()  # the import writes in sessions of its own; this request's transaction ends first
    outcome = upload.import_upload(
        db,
        request.app.state.session_factory,
        settings=request.app.state.settings,
        channel=channel,
        actor_id=principal.user.id,
        stream=file.file,
        filename=file.filename,
        fmt=format,
    )
    return {
        "job_id": outcome.job_id,
        "records": outcome.records,
        "new": outcome.new,
        "duplicates": outcome.duplicates,
        "already_done": outcome.already_done,
        "error_count": outcome.error_count,
        "errors": outcome.errors,
    }
