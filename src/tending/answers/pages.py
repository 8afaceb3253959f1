"""The library of prepared answers, as dashboard forms (admins and members write; agency accounts read).

Attachments are links to files kept elsewhere (a screenshot, a PDF form), one per line as
`name | https://...`; the desk stores no uploaded files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from tending.answers import library
from tending.answers.models import PreparedAnswer, PreparedAnswerCreate
from tending.auth.deps import CsrfChecked, PagePrincipal
from tending.database.core import DbSession
from tending.settings.edit import (
    ADMIN_AND_MEMBER,
    SettingRefused,
    from_form,
    may_write,
    owned,
    require_writer,
    split_list,
)
from tending.settings.pages import section_context
from tending.templating import render
from tending.workspace.pages import PageWorkspace, page_context
from tending.workspace.service import members_of

router = APIRouter()
WHAT = "prepared answers"


def parse_attachments(text: str) -> list[dict[str, str]]:
    """`name | url` per line; a line with only a URL is named after the URL's last part."""
    out = []
    for line in split_list(text, sep="\n"):
        name, sep, url = line.rpartition("|")
        if not sep:
            url = line
            name = line.rstrip("/").rsplit("/", 1)[-1]
        out.append({"name": name.strip() or url.strip(), "url": url.strip()})
    return out


def format_attachments(items: list[dict[str, Any]]) -> str:
    return "\n".join(f"{a.get('name', '')} | {a.get('url', '')}" for a in items)


def answer_form(
    title: str = Form(...),
    body: str = Form(...),
    topics: str = Form(""),
    examples: str = Form(""),
    links: str = Form(""),
    attachments: str = Form(""),
) -> PreparedAnswerCreate:
    if len(split_list(examples, sep="\n")) > 50:
        raise SettingRefused("not saved: at most 50 examples")
    data = {
        "title": title.strip(),
        "body": body.strip(),
        "topics": split_list(topics),
        "examples": split_list(examples, sep="\n"),
        "links": split_list(links, sep="\n"),
        "attachments": parse_attachments(attachments),
    }
    return from_form(PreparedAnswerCreate, data)


# Declared after the principal and workspace in each route, so those are checked first.
AnswerForm = Annotated[PreparedAnswerCreate, Depends(answer_form)]


@router.get("/w/{slug}/settings/answers")
def answers_page(
    request: Request, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    return render(
        request,
        "settings/answers.html",
        principal=principal,
        answers=library.list_answers(db, workspace_id=workspace.id),
        names={m.id: m.name for m in members_of(db, workspace.id)},
        format_attachments=format_attachments,
        can_manage=may_write(principal, ADMIN_AND_MEMBER),
        **section_context(workspace.slug, "answers"),
        **page_context(db, principal, workspace, "settings"),
    )


@router.post("/w/{slug}/settings/answers", dependencies=[CsrfChecked])
def create_answer_form(
    db: DbSession, principal: PagePrincipal, workspace: PageWorkspace, answer_in: AnswerForm
) -> Response:
    require_writer(principal, ADMIN_AND_MEMBER, WHAT)
    library.add_answer(db, workspace_id=workspace.id, actor_id=principal.user.id, answer_in=answer_in)
    return RedirectResponse(f"/w/{workspace.slug}/settings/answers", status_code=303)


@router.post("/w/{slug}/settings/answers/{answer_id}", dependencies=[CsrfChecked])
def update_answer_form(
    answer_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace, answer_in: AnswerForm
) -> Response:
    require_writer(principal, ADMIN_AND_MEMBER, WHAT)
    answer = owned(db, PreparedAnswer, answer_id, workspace.id, "prepared answer")
    library.update_answer(db, answer=answer, answer_in=answer_in, actor_id=principal.user.id)
    return RedirectResponse(f"/w/{workspace.slug}/settings/answers", status_code=303)


@router.post("/w/{slug}/settings/answers/{answer_id}/delete", dependencies=[CsrfChecked])
def delete_answer_form(
    answer_id: int, db: DbSession, principal: PagePrincipal, workspace: PageWorkspace
) -> Response:
    require_writer(principal, ADMIN_AND_MEMBER, WHAT)
    answer = owned(db, PreparedAnswer, answer_id, workspace.id, "prepared answer")
    library.delete_answer(db, answer=answer, actor_id=principal.user.id)
    return RedirectResponse(f"/w/{workspace.slug}/settings/answers", status_code=303)
