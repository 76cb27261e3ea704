"""收文 pages' routes: 文书登记 (/incoming/new, its scan's presigned POST), one 收文 (/incoming/<id>: the
page its steps' emails link to), its progress, its decision (every step, 签收 to 办结), 申请延期, 改派, its
file, its 收文处理笺 (PDF), and 转为收文 from a 发文's page; the pages are oa_core.web.incoming."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.web import incoming

from .gate import Gate

router = APIGatewayRouter()
gate = Gate(router)


@router.get("/incoming/new")
def new_incoming() -> Response[str]:
    return gate.signed_in(lambda user, session: incoming.new_form(user, session))


@router.post("/incoming/new")
def submit_new() -> Response[str]:
    """登记来文's POST, once per form (web.once)."""
    return gate.once(
        "来文登记", "该来文已登记，不会重复登记", lambda user, session, form: incoming.submit_new(user, session, form)
    )


@router.post("/incoming/new/uploads")
def scan_ticket() -> Response[str]:
    body = str(router.current_event.decoded_body or "")
    return gate.signed_in(lambda user, session: incoming.scan_ticket(user, body), post=True, file_body=True)


@router.post("/incoming/<incoming_id>/uploads")
def result_ticket(incoming_id: str) -> Response[str]:
    """A presigned POST for one 办理结果 附件 of the caller's 承办 task (the form's script)."""
    body = str(router.current_event.decoded_body or "")
    return gate.signed_in(
        lambda user, session: incoming.result_ticket(user, incoming_id, body), post=True, file_body=True
    )


@router.get("/incoming/<incoming_id>/results/<task_id>/<no>")
def result_file(incoming_id: str, task_id: str, no: str) -> Response[str]:
    return gate.signed_in(lambda user, session: incoming.result_file(user, session, incoming_id, task_id, no))


@router.get("/incoming/<incoming_id>")
def incoming_page(incoming_id: str) -> Response[str]:
    notice = gate.query().get("done", "")
    return gate.signed_in(lambda user, session: incoming.incoming_page(user, session, incoming_id, notice=notice[:100]))


@router.get("/incoming/<incoming_id>/progress")
def progress(incoming_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: incoming.progress(user, session, incoming_id))


@router.get("/incoming/<incoming_id>/file")
def received_file(incoming_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: incoming.received_file(user, session, incoming_id))


@router.get("/incoming/<incoming_id>/sheet")
def handling_sheet(incoming_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: incoming.handling_sheet(user, session, incoming_id))


@router.post("/incoming/<incoming_id>/decision")
def decide(incoming_id: str) -> Response[str]:
    """Any step's decision, once per form (web.once; the task itself is decided once by its condition)."""
    return gate.once(
        "决定",
        "该事项已办理，不会重复提交",
        lambda user, session, form: incoming.decide(user, session, incoming_id, form),
    )


@router.post("/incoming/<incoming_id>/extensions")
def ask_extension(incoming_id: str) -> Response[str]:
    """申请延期, once per form (web.once)."""
    return gate.once(
        "延期申请",
        "该延期申请已提交，不会重复提交",
        lambda user, session, form: incoming.ask_extension(user, session, incoming_id, form),
    )


@router.post("/incoming/<incoming_id>/reassign")
def reassign(incoming_id: str) -> Response[str]:
    """改派主办 (the office's 文书), once per form (web.once)."""
    return gate.once(
        "改派",
        "该改派已提交，不会重复提交",
        lambda user, session, form: incoming.reassign(user, session, incoming_id, form),
    )


@router.post("/incoming/<incoming_id>/resume")
def resume(incoming_id: str) -> Response[str]:
    """继续办理 a failed 收文 (the office's 文书, the 系统管理员), once per form (web.once)."""
    return gate.once(
        "继续办理",
        "已提交继续办理，不会重复提交",
        lambda user, session, form: incoming.resume(user, session, incoming_id),
    )


@router.post("/documents/<document_id>/incoming")
def take_up(document_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: incoming.take_up(user, session, document_id), post=True)
