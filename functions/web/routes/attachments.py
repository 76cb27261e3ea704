"""附件 on the staff pages: the draft form's JSON calls (presigned POST, attach, title, order, remove; the
session's CSRF token in X-CSRF-Token) and opening an attachment (a redirect to a 5-minute link)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity import sessions
from oa_core.outgoing.attachments import number_of
from oa_core.web import attachments
from oa_core.web.pages import Reply

from .gate import Gate

router = APIGatewayRouter()
gate = Gate(router)


def _body() -> str:
    return str(router.current_event.decoded_body or "")


def _action(document_id: str, action: str, no: str = "") -> Response[str]:
    def handled(user: dict[str, Any], _session: sessions.Session) -> Reply:
        return attachments.call(action, document_id, user, _body(), no)

    return gate.signed_in(handled, post=True)


@router.post("/documents/<document_id>/attachments/uploads")
def sign_upload(document_id: str) -> Response[str]:
    return _action(document_id, "upload")


@router.post("/documents/<document_id>/attachments")
def attach(document_id: str) -> Response[str]:
    return _action(document_id, "attach")


@router.post("/documents/<document_id>/attachments/order")
def reorder(document_id: str) -> Response[str]:
    return _action(document_id, "order")


@router.post("/documents/<document_id>/attachments/<no>/change")
def change(document_id: str, no: str) -> Response[str]:
    return _action(document_id, "change", no)


@router.post("/documents/<document_id>/attachments/<no>/delete")
def remove(document_id: str, no: str) -> Response[str]:
    return _action(document_id, "delete", no)


@router.get("/documents/<document_id>/attachments/<no>")
def open_attachment(document_id: str, no: str) -> Response[str]:
    return gate.signed_in(lambda user, _session: attachments.open_attachment(document_id, number_of(no), user))
