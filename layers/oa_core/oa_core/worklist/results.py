"""办理结果's 附件: a 承办 department reports its result with files, uploaded as 发文's 附件 are.

The 承办 person signs a presigned POST per file (outgoing.uploads: ``pending/<收文 id>/<token>`` in the
attachments bucket, the bucket's lifecycle removing what is never submitted), the browser posts the file,
and the 承办 decision names the uploads (``files``). Each is then checked by its bytes (type, size,
SHA-256: outgoing.uploads.received) and written to ``attachments/<收文 id>/<sha256>``; the decision's one
transaction keeps them (incoming.handling). A file refused, or a decision lost, keeps nothing: the copies
written are removed, the uploads stay pending for another try. Opening one is for those who may read the
收文 (incoming.queries.may_read) and audited, allowed or not.
"""

from __future__ import annotations

from typing import Any

from oa_core.incoming import handling, queries
from oa_core.incoming.models import IncomingPlan, IncomingRegistration, ResultFile
from oa_core.incoming.storage import ResultFileItem, result_file_key
from oa_core.outgoing import uploads
from oa_core.outgoing.attachments import UploadTicket
from oa_core.outgoing.storage import AttachmentEntry, UploadItem
from oa_core.platform import audit
from oa_core.platform.config import settings
from oa_core.platform.errors import Forbidden, InvalidInput, NotFound
from oa_core.workflow.decisions import ensure_assignee, ensure_pending
from oa_core.workflow.models import DecisionRequest, DecisionResult
from oa_core.workflow.storage import LinkItem, TaskItem
from oa_core.workflow.tasks import load_task, subject_of

ONLY_HANDLING = "只有承办环节可以随办理结果上传附件"


def _handling_task(user: dict[str, Any], task_id: str) -> TaskItem:
    task = load_task(task_id)
    ensure_assignee(task, user["user_id"])
    ensure_pending(task, user["user_id"])
    if not subject_of(task_id).startswith("I") or task.step != "handle":
        raise InvalidInput(ONLY_HANDLING)
    return task


def sign_upload(user: dict[str, Any], task_id: str, filename: str, size: int | None) -> UploadTicket:
    """A presigned POST for one file of the 办理结果, for the person the 承办 task waits on."""
    task = _handling_task(user, task_id)
    return uploads.new_upload(task.document_id, user["user_id"], filename, size)[1]


def _result_file(entry: AttachmentEntry) -> ResultFile:
    return ResultFile(
        no=int(entry.no),
        filename=entry.filename,
        kind=entry.kind,
        content_type=entry.content_type,
        size=int(entry.size),
        sha256=entry.sha256,
        key=entry.key,
        s3_version=entry.s3_version or "",
        uploaded_by=entry.uploaded_by,
        uploaded_at=entry.uploaded_at,
    )


def _arrived(task: TaskItem, actor: str, tokens: list[str]) -> list[tuple[UploadItem, AttachmentEntry]]:
    """Every upload named, checked by its bytes and copied to its final key; on the first refused, the
    copies already written are removed and the refusal raised."""
    limit = settings().attachment_max_count
    if len(tokens) > limit:
        raise InvalidInput(f"办理结果最多可附 {limit} 个附件", code="attachment_count")
    if len(set(tokens)) != len(tokens):
        raise InvalidInput("同一个附件不能重复报送", code="attachment_duplicate")
    arrived: list[tuple[UploadItem, AttachmentEntry]] = []
    try:
        for no, token in enumerate(tokens, start=1):
            upload = uploads.load_upload(task.document_id, token, actor)
            arrived.append((upload, uploads.received(upload, actor, no)))
    except Exception:
        _discard(arrived)
        raise
    return arrived


def _discard(arrived: list[tuple[UploadItem, AttachmentEntry]]) -> None:
    for _upload, entry in arrived:
        uploads.discard_copy(entry)


def decide(
    task: TaskItem,
    actor: str,
    request: DecisionRequest,
    tokens: list[str],
    registration: IncomingRegistration | None,
    *,
    plan: IncomingPlan | None,
    via: str,
    link: LinkItem | None,
) -> DecisionResult:
    """A 收文 decision; 承办's 同意 with its 附件 (``tokens``: the uploads), kept only if the decision is."""
    from oa_core.incoming import decisions as incoming

    if not tokens:
        return incoming.decide(task, actor, request, registration, plan=plan, via=via, link=link)
    if task.step != "handle" or request.decision != "approve":
        raise InvalidInput(handling.FILES_ONLY)
    ensure_pending(task, actor)
    arrived = _arrived(task, actor, tokens)
    try:
        files = tuple(_result_file(entry) for _upload, entry in arrived)
        decided = incoming.decide(task, actor, request, registration, plan=plan, via=via, link=link, files=files)
    except Exception:
        _discard(arrived)
        raise
    for upload, _entry in arrived:
        uploads.forget_upload(upload)
        upload.delete()  # used up: the same token is submitted no more
    return decided


def open_file(user: dict[str, Any], incoming_id: str, task_id: str, no: int) -> str:
    """打开办理结果附件: a short-lived link, for those who may read the 收文; audited (denials too)."""
    try:
        queries.readable(user, incoming_id)
    except Forbidden:
        audit.record(user["user_id"], "download_result_file", incoming_id, "denied", task_id, document_id=incoming_id)
        raise
    if subject_of(task_id) != incoming_id:
        raise NotFound("没有这个附件")
    try:
        found = ResultFileItem.get(*result_file_key(incoming_id, task_id, no), consistent_read=True)
    except ResultFileItem.DoesNotExist:
        raise NotFound("没有这个附件") from None
    audit.record(
        user["user_id"],
        "download_result_file",
        incoming_id,
        "ok",
        f"办理结果附件{no}：{found.filename}",
        document_id=incoming_id,
    )
    return uploads.open_url(as_entry(found))


def as_entry(found: ResultFileItem) -> AttachmentEntry:
    """A 办理结果 附件 as outgoing.uploads opens it (the attachments bucket, that object version)."""
    return AttachmentEntry(
        no=int(found.no),
        title=found.filename,
        filename=found.filename,
        kind=found.file_kind,
        content_type=found.content_type,
        size=int(found.size),
        sha256=found.sha256,
        key=found.key,
        s3_version=found.s3_version or "",
        uploaded_by=found.uploaded_by,
        uploaded_at=found.uploaded_at,
    )


__all__ = ["as_entry", "decide", "open_file", "sign_upload"]
