"""打印份数: the 文书's print run of an issued document, each copy with its own 份号 (GB/T 9704 §7.2.1).

After 印制 the office's 文书 asks for N copies (1 to 500). The request only takes the range: a counter item per
document (``COUNTER#COPIES#<id>``) moved by a condition on its old value, in the transaction that records the run
(status ``printing``, 印制中) and its audit record, so two runs at once never share a number and a range once
taken is never handed out again, whatever becomes of its run. It then starts CopiesFlow (execution named after
the run, so a repeated start is refused by Step Functions), whose one task has the Typeset function render the
copies (oa_core.outgoing.copies_render) and mark the run ``done``, or, when the render fails for good, ``failed``.
The sealed original stays unnumbered. ``GET /api/documents/{id}/copies/{run}`` (run = the first 份号) answers
409 while the run is 印制中 or failed, and its PDF once it is done.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.outgoing import printing
from oa_core.outgoing.storage import DocumentItem
from oa_core.platform import audit, clock
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, FlowUnavailable, Forbidden, InvalidInput, NotFound, TransientError
from oa_core.platform.storage import RecordItem, connection, counter_value, lost_on_condition, move_counter
from oa_core.workflow import flow

MAX_COPIES = 500
COPY_DIGITS = 6
PRINTING, DONE, FAILED = "printing", "done", "failed"
STATUS_LABELS = {PRINTING: "印制中", DONE: "已生成", FAILED: "生成失败"}


class CopyRunItem(RecordItem, discriminator="copy_run"):
    """One print run: 份号 ``first``..``last`` of a document, who asked for it and when, its state and its PDF."""

    document_id = UnicodeAttribute()
    first = NumberAttribute()
    last = NumberAttribute()
    copy_count = NumberAttribute(default=0)
    """份数 (Model.count is taken by pynamodb)."""
    status = UnicodeAttribute(default=PRINTING)
    printed_by = UnicodeAttribute()
    printed_at = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)
    pdf_key = UnicodeAttribute(null=True)
    pdf_sha256 = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    """Why the render failed, for ops (the error name Step Functions caught); never shown to people."""


def copy_number(value: int) -> str:
    """份号 as printed: 6 Arabic digits, zero-padded (§7.2.1)."""
    return f"{value:0{COPY_DIGITS}d}"


def _runs_pk(document_id: str) -> str:
    return f"COPIES#{document_id}"


def _counter_key(document_id: str) -> tuple[str, str]:
    return (f"COUNTER#COPIES#{document_id}", "COUNTER")


def run_key(document_id: str, first: int) -> str:
    """Where a run's PDF is kept in the archive bucket (the Typeset function may write only under copies/)."""
    return f"copies/{document_id}/{copy_number(first)}.pdf"


def execution_name(document_id: str, run: str) -> str:
    """CopiesFlow's execution of one run: a second start of the same run is refused (ExecutionAlreadyExists)."""
    return f"copies-{document_id}-{run}"


def range_text(item: CopyRunItem) -> str:
    return f"份号{copy_number(int(item.first))}至{copy_number(int(item.last))}"


def _allocate(document_id: str, count: int, user_id: str) -> CopyRunItem:
    """The next `count` 份号 of the document, recorded as one run (印制中) and audited in the transaction that
    moves the counter; a lost race reads the counter again."""
    counter_key = _counter_key(document_id)
    for attempt in range(12):
        current = counter_value(counter_key)
        run = CopyRunItem(
            _runs_pk(document_id),
            f"RUN#{copy_number(current + 1)}",
            document_id=document_id,
            first=current + 1,
            last=current + count,
            copy_count=count,
            status=PRINTING,
            printed_by=user_id,
            printed_at=clock.now_iso(),
        )
        detail = f"{count}份，{range_text(run)}"
        try:
            with TransactWrite(connection=connection()) as tx:
                move_counter(tx, counter_key, current, current + count)
                tx.save(run, condition=CopyRunItem.PK.does_not_exist())
                tx.save(audit.audit_item(user_id, "print_copies", document_id, "ok", detail, document_id=document_id))
        except TransactWriteError as exc:
            if not lost_on_condition(exc):
                raise
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # noqa: S311 - jitter, not crypto
            continue
        return run
    raise TransientError("份号分配时并发冲突过多，请稍后重试")


def _start(run: CopyRunItem) -> None:
    """Start the run's render. If Step Functions cannot be reached the run is marked failed at once: its range
    stays taken (份号 are never reused) and the 文书 asks for a new run."""
    document_id, run_id = run.document_id, copy_number(int(run.first))
    try:
        flow.stepfunctions().start_execution(
            stateMachineArn=settings().copies_flow_arn,
            name=execution_name(document_id, run_id),
            input=json.dumps({"document_id": document_id, "run": run_id}),
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ExecutionAlreadyExists":
            return
        finish_failed(document_id, run_id, exc.response["Error"]["Code"])
        raise FlowUnavailable("印制服务暂时不可用，本次份号已作废，请稍后重新打印") from exc
    except BotoCoreError as exc:
        finish_failed(document_id, run_id, type(exc).__name__)
        raise FlowUnavailable("印制服务暂时不可用，本次份号已作废，请稍后重新打印") from exc


def _clerk_document(document_id: str, user: dict[str, Any]) -> DocumentItem:
    from oa_core.outgoing import documents

    doc = documents.readable(document_id, user)
    if not directory.is_office_clerk(user):
        raise Forbidden("只有办公室文书可以打印份数")
    return doc


def print_copies(document_id: str, count: int, user: dict[str, Any]) -> dict[str, Any]:
    """打印份数: the next `count` 份号 for the office's 文书 once the document is 印制; the run renders meanwhile."""
    if not 1 <= count <= MAX_COPIES:
        raise InvalidInput(f"份数应为 1 至 {MAX_COPIES} 之间的整数")
    doc = _clerk_document(document_id, user)
    if not doc.pdf_key:
        raise Conflict("该文件尚未印制，不能打印份数（印制之后再打印）")
    run = _allocate(document_id, count, user["user_id"])
    _start(run)
    return describe(run)


def finish_failed(document_id: str, run: str, error: str) -> bool:
    """The run could not be rendered: failed (only from 印制中), audited; False when it had already ended."""
    item = CopyRunItem(_runs_pk(document_id), f"RUN#{run}")
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                item,
                actions=[
                    CopyRunItem.status.set(FAILED),
                    CopyRunItem.error.set(error[:300]),
                    CopyRunItem.finished_at.set(clock.now_iso()),
                ],
                condition=CopyRunItem.status == PRINTING,
            )
            tx.save(
                audit.audit_item(
                    "system", "copies_failed", document_id, "failed", f"{run} {error}"[:300], document_id=document_id
                )
            )
    except TransactWriteError as exc:
        if lost_on_condition(exc):
            return False
        raise
    return True


def describe(run: CopyRunItem) -> dict[str, Any]:
    first, last = int(run.first), int(run.last)
    return {
        "document_id": run.document_id,
        "run": copy_number(first),
        "first": copy_number(first),
        "last": copy_number(last),
        "count": last - first + 1,
        "status": run.status,
        "printed_by": run.printed_by,
        "printed_at": run.printed_at,
        "finished_at": run.finished_at,
        "download": f"/api/documents/{run.document_id}/copies/{copy_number(first)}",
    }


def runs(document_id: str) -> list[dict[str, Any]]:
    """The document's print runs, first 份号 first."""
    return [describe(item) for item in CopyRunItem.query(_runs_pk(document_id), CopyRunItem.SK.startswith("RUN#"))]


def list_runs(document_id: str, user: dict[str, Any]) -> list[dict[str, Any]]:
    """The print runs and their state, for the office's 文书."""
    _clerk_document(document_id, user)
    return runs(document_id)


def get_run(document_id: str, run: str) -> CopyRunItem:
    try:
        return CopyRunItem.get(_runs_pk(document_id), f"RUN#{run}", consistent_read=True)
    except CopyRunItem.DoesNotExist:
        raise NotFound("没有这次打印") from None


def download(document_id: str, run: str, user: dict[str, Any]) -> tuple[bytes, str]:
    """The PDF of one finished print run, for the office's 文书; audited. 409 while it is rendered or failed."""
    doc = _clerk_document(document_id, user)
    if not run.isdigit() or len(run) != COPY_DIGITS:
        raise NotFound("没有这次打印")
    item = get_run(document_id, run)
    if item.status == PRINTING:
        raise Conflict("正在印制，请稍候", code="copies_printing")
    if item.status == FAILED or not item.pdf_key:
        raise Conflict(f"这次打印未能生成（{range_text(item)}已作废，不再使用），请重新打印", code="copies_failed")
    body = printing._s3().get_object(Bucket=settings().archive_bucket, Key=item.pdf_key)["Body"].read()
    audit.record(user["user_id"], "download_copies", document_id, "ok", range_text(item), document_id=document_id)
    return bytes(body), f"{doc.number or doc.document_id}-{run}.pdf"
