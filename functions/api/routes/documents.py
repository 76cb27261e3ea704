"""发文 in the JSON API: 拟稿 (idempotent with an Idempotency-Key), reading a document, 修改稿,
resuming a failed document, the 电子签章 check, the issued PDF and 签收."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import Field

from oa_core.identity import directory
from oa_core.identity.caller import caller
from oa_core.outgoing import documents
from oa_core.outgoing.models import (
    DocumentCreated,
    DocumentView,
    DraftCheckRequest,
    DraftCheckResult,
    DraftSubmission,
    RevisionRequest,
)
from oa_core.platform.errors import Conflict, InvalidInput
from oa_core.platform.http import CONTENT_JSON, SECURITY_HEADERS, base_url
from oa_core.platform.models import StrictModel
from oa_core.workflow.models import DecisionResult

from .common import DOCX, file_response, file_responses

router = APIGatewayRouter()
IDEMPOTENCY_PREFIX = "api.create_document"
"""The idempotency records' key prefix: the same in every execution environment and every stack layout."""


@cache
def _idempotent_submit() -> Any:
    """Powertools idempotency over the records table, built on first use to keep cold starts small."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    from oa_core.platform.config import settings

    persistence = DynamoDBPersistenceLayer(
        table_name=settings().records_table,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value="IDEMPOTENCY",
        expiry_attr="expires_at_epoch",
    )
    config = IdempotencyConfig(
        event_key_jmespath="[user_id, key]",
        payload_validation_jmespath="submission",
        expires_after_seconds=24 * 3600,
        raise_on_no_idempotency_key=True,
    )

    # The record's key is IDEMPOTENCY_PREFIX#<hash of user and key>, named here: Powertools would build
    # it from the function name and the Python module name, which differ between execution
    # environments of the local stack (and would change with a rename), so a retry in another
    # environment would not find the first submission.
    @idempotent_function(
        data_keyword_argument="request",
        persistence_store=persistence,
        config=config,
        key_prefix=IDEMPOTENCY_PREFIX,
    )
    def submit(request: dict[str, Any]) -> dict[str, Any]:
        return _submit(request["submission"], request["base_url"], request["user_id"])

    return submit, config


def _submit(submission: dict[str, Any], url: str, user_id: str) -> dict[str, Any]:
    drafter = directory.get_user(user_id) or {}
    created = documents.submit_draft(DraftSubmission.model_validate(submission), drafter, url)
    return created.model_dump()


@router.post("/api/documents", responses={201: {"description": "拟稿已提交，进入核稿"}})
def create_document(submission: DraftSubmission) -> Response[Any]:
    """拟稿: submit a new outgoing document; an Idempotency-Key header makes retries safe."""
    user = caller(router.current_event.raw_event)
    key = router.current_event.headers.get("Idempotency-Key")
    url = base_url(router.current_event.raw_event)
    if key:
        if len(key) > 128:
            raise InvalidInput("Idempotency-Key 不能超过 128 个字符")
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        submit, config = _idempotent_submit()
        if router.lambda_context is not None:
            config.register_lambda_context(router.lambda_context)
        request = {
            "user_id": user["user_id"],
            "key": key,
            "submission": submission.model_dump(),
            "base_url": url,
        }
        try:
            created = submit(request=request)
        except IdempotencyValidationError:
            raise InvalidInput(
                "同一个 Idempotency-Key 不能用于不同的内容 (the key was used for another body)"
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise Conflict(
                "相同的提交正在处理中，请稍后查看 (the same submission is in progress)", code="in_progress"
            ) from None
    else:
        created = documents.submit_draft(submission, user, url).model_dump()
    return Response(
        status_code=201,
        content_type=CONTENT_JSON,
        body=DocumentCreated(**created),
        headers=SECURITY_HEADERS,
    )


@router.post("/api/drafts/check")
def check_draft(draft: DraftCheckRequest) -> DraftCheckResult:
    """拟稿检查: what the 拟稿 page shows live — errors that block submission, advice with its fix — for a
    draft as far as it is written; nothing is stored."""
    from oa_core.outgoing import drafting

    caller(router.current_event.raw_event)
    found = drafting.check(draft.model_dump(), directory.unit_relations())
    return DraftCheckResult.model_validate(found)


@router.get("/api/documents/<document_id>")
def get_document(document_id: str) -> DocumentView:
    return documents.view(document_id, caller(router.current_event.raw_event))


@router.post("/api/documents/<document_id>/revision")
def revise_document(document_id: str, revision: RevisionRequest) -> DecisionResult:
    """修改稿: the drafter's revision after a return; goes back to 核稿."""
    from oa_core.outgoing import decisions as outgoing_decisions

    user = caller(router.current_event.raw_event)
    return outgoing_decisions.revise(document_id, user["user_id"], revision)


@router.post("/api/documents/<document_id>/resume")
def resume_document(document_id: str) -> dict[str, str]:
    """Continue a failed document from the step that failed (clerks and the 系统管理员)."""
    from oa_core.outgoing import resume

    return resume.resume_failed(document_id, caller(router.current_event.raw_event))


@router.get("/api/documents/<document_id>/verify")
def verify_document(document_id: str) -> dict[str, Any]:
    """电子签章: is the document as it is now the one that was signed and sealed?"""
    from oa_core.outgoing import sealing
    from oa_core.platform import audit
    from oa_core.publishing import seal

    user = caller(router.current_event.raw_event)
    doc = documents.readable(document_id, user)  # the same access rule as reading it
    result = sealing.verify(doc)
    if doc.pdf_key:
        from oa_core.outgoing import printing

        problem, block = seal.verify_pdf(printing.stored_pdf(doc), doc.seal_key or "")
        result["pdf"] = {"valid": problem is None, "sha256": block.get("sha256", ""), "reason": problem or ""}
        result["valid"] = bool(result["valid"]) and problem is None
    outcome = "valid" if result["valid"] else "invalid"
    audit.record(user["user_id"], "verify", document_id, outcome, document_id=document_id)
    return result


@router.get(
    "/api/documents/<document_id>/pdf",
    responses=file_responses(
        "application/pdf",
        "正式文件（GB/T 9704 版式，加盖电子签章）",
        conflict="该文件尚未印制（签发、编号之后生成）",
        forbidden="无权查看该文件",
        not_found="没有这个文件",
    ),
)
def document_pdf(document_id: str) -> Response[str]:
    """The issued document as a GB/T 9704 PDF, sealed (for whoever may read the document)."""
    from oa_core.outgoing import printing

    data, filename = printing.download(document_id, caller(router.current_event.raw_event))
    return file_response(data, "application/pdf", filename, inline=True)


@router.get(
    "/api/documents/<document_id>/ofd",
    responses=file_responses(
        "application/ofd",
        "正式文件的 OFD 版（GB/T 33190 版式，与 PDF 同一排版，加盖电子签章；文件名为发文字号，RFC 5987 编码）",
        conflict="该文件尚未印制，或没有 OFD 版",
        forbidden="无权查看该文件",
        not_found="没有这个文件",
    ),
)
def document_ofd(document_id: str) -> Response[str]:
    """The issued document as OFD (GB/T 33190-2016), sealed, drawn from the PDF's layout (for whoever may read
    the document); audited."""
    from oa_core.outgoing import printing

    data, filename = printing.download_ofd(document_id, caller(router.current_event.raw_event))
    return file_response(data, printing.OFD_CONTENT_TYPE, filename)


@router.get(
    "/api/documents/<document_id>/docx",
    responses=file_responses(
        DOCX,
        "Word 版（.docx，不含电子签章；文件名为发文字号，RFC 5987 编码）",
        conflict="该文件尚未签发、编号",
        forbidden="无权查看该文件",
        not_found="没有这个文件",
    ),
)
def document_docx(document_id: str) -> Response[str]:
    """The issued document as a Word file (.docx, no seal: the PDF is the sealed original), once signed and
    numbered, for whoever may read the document; audited."""
    from oa_core.outgoing import printing

    data, filename = printing.download_docx(document_id, caller(router.current_event.raw_event))
    return file_response(data, DOCX, filename)


class CopiesRequest(StrictModel):
    """打印份数: how many copies this print run has."""

    count: int = Field(ge=1, le=500, description="份数（1 至 500）")


@router.post(
    "/api/documents/<document_id>/copies",
    responses={
        202: {"description": "份号已分配，正在印制：本次打印的份号范围、状态（printing）和下载地址"},
        403: {"description": "只有办公室文书可以打印份数"},
        409: {"description": "该文件尚未印制"},
    },
)
def print_copies(document_id: str, request: CopiesRequest) -> Response[Any]:
    """打印份数: the office's 文书 asks for N copies after 印制; the 份号 are taken now, the PDF rendered meanwhile."""
    import json

    from oa_core.outgoing import copies

    run = copies.print_copies(document_id, request.count, caller(router.current_event.raw_event))
    return Response(status_code=202, content_type=CONTENT_JSON, body=json.dumps(run), headers=SECURITY_HEADERS)


@router.get("/api/documents/<document_id>/copies")
def list_copies(document_id: str) -> dict[str, Any]:
    """The document's print runs with their state (printing, done, failed), for the office's 文书."""
    from oa_core.outgoing import copies

    return {"items": copies.list_runs(document_id, caller(router.current_event.raw_event))}


@router.get(
    "/api/documents/<document_id>/copies/<run>",
    responses=file_responses(
        "application/pdf",
        "一次打印的各份（每份印有份号，整个文件加盖一次电子签章）",
        conflict="正在印制，请稍候（或这次打印未能生成）",
        forbidden="只有办公室文书可以下载",
        not_found="没有这次打印",
    ),
)
def copies_pdf(document_id: str, run: str) -> Response[str]:
    """The PDF of one finished print run (its copies in order, each numbered), for the office's 文书; audited."""
    from oa_core.outgoing import copies

    data, filename = copies.download(document_id, run, caller(router.current_event.raw_event))
    return file_response(data, "application/pdf", filename)


@router.post("/api/documents/<document_id>/receipt")
def confirm_receipt(document_id: str) -> dict[str, Any]:
    """签收: the caller's department confirms it has the distributed document."""
    from oa_core.outgoing import receipts

    return receipts.confirm(document_id, caller(router.current_event.raw_event)).model_dump()
