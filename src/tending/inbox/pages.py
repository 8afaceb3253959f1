"""Inbox pages: the conversation list with filters (htmx), a thread, and the reply/assign/close forms."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select, true

from tending.audit.service import list_entries
from tending.auth.deps import BrandPagePrincipal, CsrfChecked, PagePrincipal
from tending.auth.models import Role
from tending.channel.models import Channel
from tending.channel.service import list_for_workspace
from tending.connectors.bases import ReviewDecision
from tending.database.core import DbSession, utcnow
from tending.errors import Refused
from tending.inbox import approval, bulk, posts, queue, reply_state, saved_views, service
from tending.inbox.bulk import BulkAction
from tending.inbox.models import Conversation, ConversationStatus, Message, MessageRead, Priority, ReplyState
from tending.inbox.queue import QueueFilter
from tending.inbox.watchers import watchers_of
from tending.inbox.window import window_notice
from tending.sla.service import policies_by_priority, policy_for, sla_for_conversation, sla_level
from tending.templating import render
from tending.workspace.models import Workspace
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.service import members_of

router = APIRouter()


def _list_context(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: Workspace
) -> dict[str, Any]:
    p = request.query_params
    channel_raw = p.get("channel_id") or ""
    assignee = p.get("assignee") or ""
    channel_id = int(channel_raw) if channel_raw.isdigit() else None
    status_ = p.get("status") or None
    if status_ not in {s.value for s in ConversationStatus}:
        status_ = None
    assignee_id = principal.user.id if assignee == "me" else (int(assignee) if assignee.isdigit() else None)
    try:
        rows, next_cursor = service.list_conversations(
            db,
            workspace_id=workspace.id,
            status=status_,
            channel_id=channel_id,
            assignee_id=assignee_id,
            unassigned=assignee == "none",
            q=p.get("q") or None,
            cursor=p.get("cursor") or None,
            limit=50,
        )
    except service.InboxError:
        rows, next_cursor = [], None
    channels = list_for_workspace(db, workspace_id=workspace.id)
    members = members_of(db, workspace.id)
    policies, now = policies_by_priority(db, workspace_id=workspace.id), utcnow()
    sla_levels: dict[int, str] = {}
    for conv in rows if policies else []:
        policy = policy_for(policies, conv)
        if policy is not None and conv.status != ConversationStatus.closed.value:
            sla_levels[conv.id] = sla_level(conversation=conv, policy=policy, now=now).value
    params = {k: v for k, v in p.items() if k != "cursor" and v}
    return {
        "conversations": rows,
        "next_cursor": next_cursor,
        "next_query": urlencode({**params, "cursor": next_cursor}) if next_cursor else "",
        "channels": channels,
        "channel_names": {c.id: c.name for c in channels},
        "members": members,
        "member_names": {m.id: m.name for m in members},
        "sla_levels": sla_levels,
        "filters": {"status": status_, "channel_id": channel_id, "assignee": assignee, "q": p.get("q")},
    }


@router.get("/w/{slug}")
def overview_redirect(workspace: PageWorkspace) -> Response:
    return RedirectResponse(f"/w/{workspace.slug}/overview", status_code=303)


def _queue_context(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: Workspace
) -> dict[str, Any]:
    """The needs-reply queue with its one-click filters (`f=questions&f=mine`) and what is left."""
    p = request.query_params
    chosen = {f for f in p.getlist("f") if f in {q.value for q in QueueFilter}}
    channel_raw = p.get("channel_id") or ""
    channel_id = int(channel_raw) if channel_raw.isdigit() else None
    now = utcnow()
    try:
        page = queue.needs_reply_queue(
            db,
            workspace=workspace,
            now=now,
            filters={QueueFilter(f) for f in chosen},
            actor_id=principal.user.id,
            channel_id=channel_id,
            q=p.get("q") or None,
            cursor=p.get("cursor") or None,
        )
    except queue.QueueError:
        page = queue.QueuePage(items=[], next_cursor=None)
    channels = list_for_workspace(db, workspace_id=workspace.id)
    members = members_of(db, workspace.id)
    params = [(k, v) for k, v in p.multi_items() if k != "cursor" and v]
    return {
        "view": "queue",
        "items": page.items,
        "now": now,
        "next_cursor": page.next_cursor,
        "next_query": urlencode([*params, ("cursor", page.next_cursor)]) if page.next_cursor else "",
        "query": urlencode(params),
        "channels": channels,
        "channel_names": {c.id: c.name for c in channels},
        "members": members,
        "member_names": {m.id: m.name for m in members},
        "queue_filters": [
            (QueueFilter.questions, "Questions"),
            (QueueFilter.complaints, "Complaints"),
            (QueueFilter.negative, "Negative"),
            (QueueFilter.off_hours, "Off-hours"),
            (QueueFilter.mine, "Mine"),
            (QueueFilter.watching, "Watching"),
            (QueueFilter.unassigned, "Unassigned"),
        ],
        "chosen": chosen,
        "filters": {"channel_id": channel_id, "q": p.get("q") or ""},
    }


def _inbox_context(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: Workspace
) -> dict[str, Any]:
    p = request.query_params
    # Saved views and older links carry the conversation list's filters: they open that list.
    if p.get("view") == "conversations" or any(p.get(k) for k in ("status", "assignee")):
        return {"view": "conversations", **_list_context(request, db, principal, workspace)}
    return _queue_context(request, db, principal, workspace)


@router.get("/w/{slug}/inbox")
def inbox(request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace) -> Response:
    needs = db.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.workspace_id == workspace.id, Conversation.needs_reply == true()
        )
    )
    return render(
        request,
        "inbox/list.html",
        principal=principal,
        needs_reply_count=needs or 0,
        saved=saved_views.list_views(db, workspace_id=workspace.id, user_id=principal.user.id),
        view_error=request.query_params.get("view_error"),
        bulk_error=request.query_params.get("bulk_error"),
        **page_context(db, principal, workspace, "inbox"),
        **_inbox_context(request, db, principal, workspace),
    )


@router.get("/w/{slug}/inbox/rows")
def inbox_rows(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    """The rows fragment for htmx; the address bar shows the inbox page of the same filters, never this
    fragment's own URL (a reload or a shared link must open the whole page)."""
    context = _inbox_context(request, db, principal, workspace)
    response = render(
        request,
        "inbox/_rows.html" if context["view"] == "conversations" else "inbox/_queue.html",
        principal=principal,
        workspace=workspace,
        **context,
    )
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if v])
    response.headers["HX-Push-Url"] = f"/w/{workspace.slug}/inbox" + (f"?{query}" if query else "")
    return response


@router.get("/w/{slug}/inbox/left")
def left_fragment(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    """What is left to answer, for the team and per person: loaded beside the queue (it counts every
    waiting conversation, which the queue's own page need not wait for)."""
    left = queue.left_to_answer(db, workspace_id=workspace.id)
    return render(
        request,
        "inbox/_left.html",
        principal=principal,
        workspace=workspace,
        left=left,
        mine_left=left.per_member.get(principal.user.id, 0),
        members=members_of(db, workspace.id),
    )


@router.post("/w/{slug}/inbox/bulk", dependencies=[CsrfChecked])
def bulk_form(
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    action: BulkAction = Form(...),
    message_ids: list[int] = Form(default_factory=list),
    assignee_id: str = Form(""),
    reason: str = Form("", max_length=400),
    back: str = Form("", max_length=2000),
) -> Response:
    """Assign, mark "no reply needed" or hide as spam every chosen item, then back to the same view."""
    target = int(assignee_id) if assignee_id.isdigit() else None
    query = back.lstrip("?") if back.startswith("?") else ""
    try:
        bulk.apply(
            db,
            workspace_id=workspace.id,
            action=action,
            message_ids=message_ids,
            actor=principal.user,
            assignee_id=target,
            reason=reason,
        )
    except Refused as exc:  # shown above the queue it was chosen from; nothing was changed
        db.rollback()
        extra = urlencode({"bulk_error": str(exc)})
        return RedirectResponse(
            f"/w/{workspace.slug}/inbox?{query}&{extra}".replace("?&", "?"), status_code=303
        )
    return RedirectResponse(f"/w/{workspace.slug}/inbox" + (f"?{query}" if query else ""), status_code=303)


@router.post("/w/{slug}/inbox/items/{message_id}/done", dependencies=[CsrfChecked])
def done_form(
    request: Request, message_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    """`e`: this person needs no reply; on to the next item of the queue."""
    ids = reply_state.person_item(db, workspace_id=workspace.id, message_id=message_id)
    reply_state.mark_no_reply_needed(
        db, workspace_id=workspace.id, message_ids=ids, actor_id=principal.user.id
    )
    if request.headers.get("HX-Request"):
        return Response(status_code=200)
    db.flush()
    page = queue.needs_reply_queue(db, workspace=workspace, now=utcnow(), limit=1)
    if page.items:
        nxt = page.items[0].message
        return RedirectResponse(
            f"/w/{workspace.slug}/inbox/{nxt.conversation_id}?m={nxt.id}", status_code=303
        )
    return RedirectResponse(f"/w/{workspace.slug}/inbox", status_code=303)


def _thread_page(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: Workspace,
    conversation_id: int,
    *,
    flash: str | None = None,
    error: str | None = None,
    draft: str = "",
    humanity: list[str] | None = None,
    collision: str | None = None,
    status_code: int = 200,
) -> Response:
    conv = service.get_conversation(db, workspace_id=workspace.id, conversation_id=conversation_id)
    if conv is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "conversation not found")
    channel = db.get(Channel, conv.channel_id)
    members = members_of(db, workspace.id)
    messages = service.thread_messages(db, conversation=conv)
    waiting = [m for m in messages if m.reply_state is ReplyState.needs_reply]
    asked = request.query_params.get("m") or ""
    chosen = next((m.id for m in waiting if str(m.id) == asked), waiting[0].id if waiting else None)
    people: dict[int | None, list[MessageRead]] = {}
    for m in waiting:
        people.setdefault(m.author_id, []).append(m)
    person = next((m.author_name or m.author_handle for m in messages if m.direction == "inbound"), None)
    return render(
        request,
        "inbox/thread.html",
        principal=principal,
        conversation=conv,
        channel=channel,
        messages=messages,
        waiting=waiting,
        waiting_people=list(people.values()),
        person_of={
            m.external_id: m.author_name or m.author_handle or "someone"
            for m in messages
            if m.direction == "inbound"
        },
        chosen_id=chosen,
        person=person,
        post=posts.post_thread(db, conversation=conv),
        watchers=watchers_of(db, conversation_id=conv.id),
        members=members,
        member_names={m.id: m.name for m in members},
        audit=list_entries(
            db, workspace_id=workspace.id, target_type="conversation", target_id=conv.id, limit=50
        ),
        suggestions=_suggestions(db, conv),
        pending=approval.pending_for(db, conversation_id=conv.id),
        can_review=principal.user.role != Role.agency.value,
        can_moderate=principal.user.role != Role.agency.value,
        sla=sla_for_conversation(db, conversation=conv, now=utcnow()),
        window=window_notice(db, conversation=conv, channel=channel, now=utcnow()) if channel else None,
        draft=draft,
        humanity=humanity or [],
        collision=collision,
        flash=flash,
        error=error,
        status_code=status_code,
        **page_context(db, principal, workspace, "inbox"),
    )


def _suggestions(db: DbSession, conv: Conversation) -> list[dict[str, Any]]:
    """Prepared answers ranked for the thread's last inbound message, each with its text to insert."""
    from tending.answers.models import PreparedAnswer
    from tending.answers.service import suggest_answers

    last = db.scalar(
        select(Message)
        .where(Message.conversation_id == conv.id, Message.direction == "inbound")
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    if last is None:
        return []
    out = []
    for s in suggest_answers(db, message=last, limit=4):
        answer = db.get(PreparedAnswer, s.answer_id)
        if answer is not None:
            out.append({"title": s.title, "body": answer.body, "score": s.score, "reasons": s.reasons})
    return out


@router.get("/w/{slug}/inbox/{conversation_id}")
def thread(
    request: Request, conversation_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    return _thread_page(request, db, principal, workspace, conversation_id)


@router.get("/w/{slug}/inbox/{conversation_id}/post")
def post_view(
    request: Request, conversation_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    """Every person's item under the post this conversation is under, each with where it stands."""
    conv = _conv_or_404(db, workspace, conversation_id)
    thread = posts.post_thread(db, conversation=conv)
    if thread is None:  # a direct-message thread is one person: its own page is the whole of it
        return RedirectResponse(f"/w/{workspace.slug}/inbox/{conv.id}", status_code=303)
    channel = db.get(Channel, conv.channel_id)
    return render(
        request,
        "inbox/post.html",
        principal=principal,
        conversation=conv,
        channel=channel,
        thread=thread,
        member_names={m.id: m.name for m in members_of(db, workspace.id)},
        now=utcnow(),
        **page_context(db, principal, workspace, "inbox"),
    )


def _conv_or_404(db: DbSession, workspace: Workspace, conversation_id: int) -> Conversation:
    conv = service.get_conversation(db, workspace_id=workspace.id, conversation_id=conversation_id)
    if conv is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "conversation not found")
    return conv


@router.post("/w/{slug}/inbox/{conversation_id}/reply", dependencies=[CsrfChecked])
def reply_form(
    request: Request,
    conversation_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    text: str = Form(..., min_length=1, max_length=10000),
    send_anyway: str = Form(""),
    in_reply_to: str = Form(""),
    seen_up_to: str = Form(""),
) -> Response:
    from tending.answers.service import check_reply_humanity
    from tending.presence.service import ReplyCollision

    conv = _conv_or_404(db, workspace, conversation_id)
    if not send_anyway:
        check = check_reply_humanity(db, workspace_id=workspace.id, text=text)
        if check.flagged:
            # Not a block: the person decides, having seen why this reply may sound canned.
            return _thread_page(
                request, db, principal, workspace, conversation_id, draft=text, humanity=check.reasons
            )
    if approval.needs_approval(conv, principal.user):
        approval.draft_reply(db, conversation=conv, author=principal.user, text=text)
        return _thread_page(
            request,
            db,
            principal,
            workspace,
            conversation_id,
            flash="Sensitive conversation: your reply waits for a brand member's approval.",
        )
    try:
        service.reply(
            db,
            settings=request.app.state.settings,
            conversation=conv,
            text=text,
            actor_id=principal.user.id,
            in_reply_to=int(in_reply_to) if in_reply_to.isdigit() else None,
            seen_up_to=int(seen_up_to) if seen_up_to.isdigit() else None,
        )
    except ReplyCollision as exc:
        # The page comes back with the other reply in the thread and the draft kept: sending again
        # (the page now records that reply as seen) is the confirmation.
        db.rollback()
        last = exc.replies[-1]
        notice = (
            f"Not sent yet. {last.sent_by} replied since you opened this: “{last.text[:300]}” "
            "Press Send again to post yours as well."
        )
        page = functools.partial(_thread_page, request, db, principal, workspace, conversation_id)
        return page(collision=notice, draft=text, status_code=409)
    except (service.InboxError, service.ReplyNotSent) as exc:
        db.rollback()
        return _thread_page(
            request,
            db,
            principal,
            workspace,
            conversation_id,
            error=f"Reply not sent: {exc}",
            status_code=409,
        )
    return RedirectResponse(f"/w/{workspace.slug}/inbox/{conv.id}?sent=1", status_code=303)


@router.post("/w/{slug}/inbox/{conversation_id}/assign", dependencies=[CsrfChecked])
def assign_form(
    conversation_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    assignee_id: str = Form(""),
) -> Response:
    conv = _conv_or_404(db, workspace, conversation_id)
    target = int(assignee_id) if assignee_id.isdigit() else None
    service.assign(db, conversation=conv, assignee_id=target, actor_id=principal.user.id)  # or ForeignId 400
    return RedirectResponse(f"/w/{workspace.slug}/inbox/{conv.id}", status_code=303)


@router.post("/w/{slug}/inbox/{conversation_id}/status", dependencies=[CsrfChecked])
def status_form(
    conversation_id: int,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    status_: ConversationStatus = Form(..., alias="status"),
) -> Response:
    conv = _conv_or_404(db, workspace, conversation_id)
    service.set_status(db, conversation=conv, status=status_, actor_id=principal.user.id)
    return RedirectResponse(f"/w/{workspace.slug}/inbox/{conv.id}", status_code=303)


@router.post("/w/{slug}/inbox/{conversation_id}/priority", dependencies=[CsrfChecked])
def priority_form(
    conversation_id: int,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    priority: Priority = Form(...),
) -> Response:
    conv = _conv_or_404(db, workspace, conversation_id)
    service.set_priority(db, conversation=conv, priority=priority, actor_id=principal.user.id)
    return RedirectResponse(f"/w/{workspace.slug}/inbox/{conv.id}", status_code=303)


@router.post("/w/{slug}/inbox/{conversation_id}/pending/{pending_id}/{action}", dependencies=[CsrfChecked])
def review_pending(
    request: Request,
    conversation_id: int,
    pending_id: int,
    action: str,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    comment: str = Form(""),
) -> Response:
    from tending.inbox.models import PendingReply

    pending = db.get(PendingReply, pending_id)
    if pending is None or pending.workspace_id != workspace.id or pending.conversation_id != conversation_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "pending reply not found")
    # InboxError 409, ReplyNotSent 502: the installed handler shows the error page
    if action == "approve":
        approval.approve_reply(
            db, settings=request.app.state.settings, pending=pending, approver=principal.user
        )
    elif action == "send-back":
        approval.send_back_reply(db, pending=pending, approver=principal.user, comment=comment)
    else:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown action")
    return RedirectResponse(f"/w/{workspace.slug}/inbox/{conversation_id}", status_code=303)


@router.post("/w/{slug}/inbox/{conversation_id}/messages/{message_id}/hide", dependencies=[CsrfChecked])
def hide_form(
    request: Request,
    conversation_id: int,
    message_id: int,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    category: str = Form(...),
    reason: str = Form("", max_length=2000),
) -> Response:
    """Hide spam or abuse from the thread; anything else is refused on the page with the reason why."""
    from tending.moderation.service import ModerationRefused, hide_message

    msg = _thread_message(db, workspace, conversation_id, message_id)
    try:
        hide_message(db, message_id=msg.id, actor=principal.user, reason=reason, category=category)
    except ModerationRefused as exc:
        db.rollback()
        return _thread_page(
            request, db, principal, workspace, conversation_id, error=f"Not hidden: {exc}", status_code=409
        )
    return RedirectResponse(f"/w/{workspace.slug}/inbox/{conversation_id}#m{msg.id}", status_code=303)


@router.post("/w/{slug}/inbox/{conversation_id}/messages/{message_id}/unhide", dependencies=[CsrfChecked])
def unhide_form(
    conversation_id: int,
    message_id: int,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
) -> Response:
    from tending.moderation.service import unhide_message

    msg = _thread_message(db, workspace, conversation_id, message_id)
    unhide_message(db, message_id=msg.id, actor=principal.user)
    return RedirectResponse(f"/w/{workspace.slug}/inbox/{conversation_id}#m{msg.id}", status_code=303)


@router.post(
    "/w/{slug}/inbox/{conversation_id}/messages/{message_id}/network-review", dependencies=[CsrfChecked]
)
def network_review_form(
    request: Request,
    conversation_id: int,
    message_id: int,
    db: DbSession,
    workspace: PageWorkspace,
    principal: BrandPagePrincipal,
    decision: ReviewDecision = Form(...),
) -> Response:
    """Approve or reject a comment the network withholds; the thread says why when the network refuses."""
    from tending.moderation.network_review import ReviewRefused, decide_network_review

    msg = _thread_message(db, workspace, conversation_id, message_id)
    try:
        decide_network_review(
            db, settings=request.app.state.settings, message=msg, decision=decision, actor=principal.user
        )
    except ReviewRefused as exc:
        db.rollback()
        return _thread_page(
            request, db, principal, workspace, conversation_id, error=str(exc), status_code=409
        )
    return RedirectResponse(f"/w/{workspace.slug}/inbox/{conversation_id}#m{msg.id}", status_code=303)


def _thread_message(db: DbSession, workspace: Workspace, conversation_id: int, message_id: int) -> Message:
    msg = db.get(Message, message_id)
    if msg is None or msg.workspace_id != workspace.id or msg.conversation_id != conversation_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "message not found")
    return msg


@router.post("/w/{slug}/inbox/views", dependencies=[CsrfChecked])
def save_view_form(
    request: Request,
    db: DbSession,
    principal: PagePrincipal,
    workspace: PageWorkspace,
    name: str = Form("", max_length=80),
    status_: str = Form("", alias="status"),
    channel_id: str = Form(""),
    assignee: str = Form(""),
    q: str = Form("", max_length=200),
) -> Response:
    params = {"status": status_, "channel_id": channel_id, "assignee": assignee, "q": q}
    try:
        view = saved_views.save_view(
            db, workspace_id=workspace.id, user_id=principal.user.id, name=name, params=params
        )
    except saved_views.SavedViewError as exc:
        back = urlencode({**{k: v for k, v in params.items() if v}, "view_error": str(exc)})
        return RedirectResponse(f"/w/{workspace.slug}/inbox?{back}", status_code=303)
    return RedirectResponse(f"/w/{workspace.slug}/inbox?{view.query}", status_code=303)


@router.post("/w/{slug}/inbox/views/{view_id}/delete", dependencies=[CsrfChecked])
def delete_view_form(
    view_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    if not saved_views.delete_view(db, workspace_id=workspace.id, user_id=principal.user.id, view_id=view_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "saved view not found")
    return RedirectResponse(f"/w/{workspace.slug}/inbox", status_code=303)
