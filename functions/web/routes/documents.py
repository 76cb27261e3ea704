"""发文 pages' routes: 拟稿 (the form, its POST, the live check of a draft), the document page, its
progress, and what is done on it (decide, 修改稿, PDF, 签收); the pages are oa_core.web.documents."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity import sessions
from oa_core.web import documents, once, pages
from oa_core.web.pages import Reply

from .gate import Gate

router = APIGatewayRouter()
gate = Gate(router)


@router.get("/documents/new")
def new_document() -> Response[str]:
    query = gate.query()
    notice = "草稿已保存，可随时在工作台继续编辑" if query.get("saved") else ""
    return gate.signed_in(
        lambda user, session: documents.new_document(
            user,
            session,
            template_key=query.get("template", ""),
            draft_id=query.get("draft", ""),
            reply_to=query.get("reply_to", ""),
            notice=notice,
        )
    )


@router.post("/documents/new")
def submit_new() -> Response[str]:
    """拟稿's POST; 送核稿 submits once per form (web.once), 保存草稿 may be pressed again and again."""

    def submitted(user: dict[str, Any], session: sessions.Session) -> Reply:
        form = gate.form()
        if pages.form_value(form, "action") == "save":
            return documents.submit_new(user, session, form)
        return once.submit(
            user, session, form, "稿件", "该稿件已提交，不会重复提交", lambda: documents.submit_new(user, session, form)
        )

    return gate.signed_in(submitted, post=True)


@router.post("/drafts/check")
def check_draft() -> Response[str]:
    import json

    def checked(user: dict[str, Any], session: sessions.Session) -> Reply:
        from oa_core.identity import directory
        from oa_core.outgoing import drafting

        found = drafting.check(documents.form_fields(gate.form()), directory.unit_relations())
        return Reply(200, json.dumps(found, ensure_ascii=False), "application/json; charset=utf-8", pages.headers())

    return gate.signed_in(checked, post=True)


@router.post("/documents/import-word")
def import_word() -> Response[str]:
    """从 Word 导入: the .docx is the whole body (the CSRF token in its header); answers the form's fields."""
    return gate.signed_in(lambda user, session: documents.import_word(user, gate.body_bytes), post=True, file_body=True)


@router.get("/documents/<document_id>")
def document(document_id: str) -> Response[str]:
    query = gate.query()
    version = int(query["v"]) if query.get("v", "").isdigit() else 0
    notice = query.get("done", "") or ("已送核稿" if query.get("submitted") else "")
    return gate.signed_in(
        lambda user, session: documents.document_page(user, session, document_id, version=version, notice=notice[:100])
    )


@router.get("/documents/<document_id>/progress")
def progress(document_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: documents.progress(user, session, document_id))


@router.post("/documents/<document_id>/decision")
def decide(document_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: documents.decide(user, session, document_id, gate.form()), post=True)


@router.get("/documents/<document_id>/pdf")
def document_pdf(document_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: documents.document_pdf(user, document_id))


@router.get("/documents/<document_id>/ofd")
def document_ofd(document_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: documents.document_ofd(user, document_id))


@router.get("/documents/<document_id>/docx")
def document_docx(document_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: documents.document_docx(user, document_id))


@router.post("/documents/<document_id>/copies")
def print_copies(document_id: str) -> Response[str]:
    from oa_core.web import copies

    return gate.signed_in(lambda user, session: copies.print_copies(user, session, document_id, gate.form()), post=True)


@router.get("/documents/<document_id>/copies")
def copy_runs(document_id: str) -> Response[str]:
    from oa_core.web import copies

    return gate.signed_in(lambda user, session: copies.runs_fragment(user, session, document_id))


@router.get("/documents/<document_id>/copies/<run>")
def copies_pdf(document_id: str, run: str) -> Response[str]:
    from oa_core.web import copies

    return gate.signed_in(lambda user, session: copies.download(user, document_id, run))


@router.post("/documents/<document_id>/receipt")
def confirm_receipt(document_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: documents.confirm_receipt(user, session, document_id), post=True)


@router.post("/documents/<document_id>/revision")
def revise(document_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: documents.revise(user, session, document_id, gate.form()), post=True)
