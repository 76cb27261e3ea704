"""收文 as people read them: the list by status and one 收文 with its seal check, tasks and history.

Who reads a 收文 is one rule (``may_read``, also 全文检索's, from the facts its postings keep): the
office's 文书 (directory.is_office_clerk) read every 收文; anyone else while or after holding one of its
tasks (批办, 承办 and 传阅 give leaders, departments and readers theirs); once it is with them (承办中 and
after), the members of its 承办 departments (主办 and 协办) and its readers; once archived, 档案员.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from oa_core.identity import directory
from oa_core.incoming import plans
from oa_core.incoming.extensions import listed as extensions_of
from oa_core.incoming.models import (
    ConcludedReceiptState,
    HandlerState,
    HandlingView,
    IncomingSummary,
    IncomingView,
    ReaderState,
    ResultFileView,
    SealCheck,
)
from oa_core.incoming.steps import STEPS
from oa_core.incoming.storage import (
    STATUS_NAMES,
    STATUSES,
    IncomingItem,
    ResultFileItem,
    approved_until,
    load_incoming,
    result_files,
)
from oa_core.platform.config import client, settings
from oa_core.platform.errors import Forbidden, InvalidInput
from oa_core.platform.storage import RecordItem, strs
from oa_core.workflow.storage import TaskItem
from oa_core.workflow.tasks import history_of, task_id_for, tasks_of

LIST_LIMIT = 200
HISTORY_NAMES = {
    "arrive": "来文送达",
    "reassign": "改派主办",
    "resume": "继续办理",
    "draw_sheet": "收文处理笺",
    "archive": "归档",
    "concluded_receipt": "办结回执",
    **STEPS,
}
DECISION_NAMES = {
    "received": "已签收",
    "refused": "拒收",
    "registered": "已登记",
    "proposed": "已拟办",
    "instructed": "已批示",
    "returned": "退回",
    "assist_returned": "协办退回（不属于本单位职责）",
    "done": "已报送办理结果",
    "read": "已阅",
    "checked": "审核通过",
    "concluded": "已办结",
    "reassigned": "已改派",
    "extension_requested": "申请延期",
    "extended": "同意延期",
    "extension_refused": "不同意延期",
    "archived": "已归档",
    "failed": "失败",
    "timed_out": "超时",
    "resumed": "继续办理",
    "registered_paper": "文书登记",
    "taken_up": "转为收文",
    "sent": "已送达",
    "undelivered": "未送达",
}
RECEIPT_WORDS = {
    "sent": "办结回执已送达来文单位",
    "retrying": "办结回执发送未成功，将自动重试",
    "failed": "办结回执未送达",
    "unregistered": "来文单位未登记办结回执地址，未发送办结回执",
}


def summary(item: IncomingItem) -> IncomingSummary:
    return IncomingSummary(
        incoming_id=item.incoming_id,
        title=item.title,
        sender=item.sender,
        sender_number=item.sender_number or "",
        status=item.status,
        status_name=STATUS_NAMES.get(item.status, item.status),
        source=item.source,
        number=item.number or "",
        urgency=item.urgency or "",
        received_at=item.received_at,
        deadline=item.deadline or "",
    )


def list_incoming(user: dict[str, Any], status: str = "") -> list[IncomingSummary]:
    """收文 by status (newest first), or every status; only the office's 文书 list them."""
    if status and status not in STATUSES:
        raise InvalidInput(f"收文状态只能是：{'、'.join(STATUSES)}")
    if not directory.is_office_clerk(user):
        return []
    found: list[IncomingSummary] = []
    for each in [status] if status else list(STATUSES):
        query = RecordItem.gsi2.query(f"INCOMING#{each}", scan_index_forward=False, limit=LIST_LIMIT)
        found += [summary(item) for item in query if isinstance(item, IncomingItem)]
    return sorted(found, key=lambda s: s.received_at, reverse=True)[:LIST_LIMIT]


WITH_HANDLERS = ("handling", "checking", "concluding", "archived")
"""The statuses in which a 收文 is with its 承办 departments and readers (after 批办)."""


def read_facts(item: IncomingItem, tasks: list[TaskItem]) -> tuple[list[str], list[str]]:
    """(people, departments) of may_read: everyone who holds or held one of its tasks, and the plan's
    readers once it is with them; the plan's 承办 departments."""
    plan = plans.load(item.plan)
    people = {t.assignee for t in tasks if t.assignee}
    if item.status in WITH_HANDLERS:
        people |= {str(r) for r in plan.get("readers", []) if r}
    departments = {str(h["department"]) for h in plan.get("handlers", []) if h.get("department")}
    return sorted(people), sorted(departments)


def may_read(user: dict[str, Any], status: str, people: list[str], departments: list[str]) -> bool:
    """Whether a person reads a 收文 in ``status`` with these facts (read_facts)."""
    if directory.is_office_clerk(user) or user["user_id"] in people:
        return True
    if status in WITH_HANDLERS and (user.get("department") or "") in departments:
        return True
    return status == "archived" and directory.reads_every_department(user)


def readable(user: dict[str, Any], incoming_id: str) -> IncomingItem:
    item = load_incoming(incoming_id)
    people, departments = read_facts(item, tasks_of(incoming_id))
    if may_read(user, item.status, people, departments):
        return item
    raise Forbidden("您没有权限查看这份收文")


def seal_of(item: IncomingItem) -> SealCheck:
    return SealCheck(
        valid=bool(item.seal_valid),
        reason=item.seal_problem or "",
        signer=item.seal_signer or "",
        signed_number=item.seal_number or "",
        fingerprint=item.seal_fingerprint or "",
        algorithm=item.seal_algorithm or "",
        pinned=item.seal_pinned or "unpinned",  # type: ignore[arg-type]
    )


def handling(item: IncomingItem, tasks: list[TaskItem] | None = None) -> HandlingView:
    """拟办, 批办, each department's 承办 and each reader's 传阅 in the round in force (the 收文处理笺)."""
    plan = plans.load(item.plan)
    round_no = int(item.round or 1)
    mine = [t for t in (tasks if tasks is not None else tasks_of(item.incoming_id)) if int(t.round) == round_no]
    by_id = {t.task_id: t for t in mine}
    people = directory.get_users(
        [str(plan.get("leader") or ""), *[str(r) for r in plan.get("readers", [])], *[t.assignee for t in mine]]
    )
    names = plans.departments()
    files = result_files(item.incoming_id)
    handlers = []
    extended = approved_until(item.incoming_id)
    for index, handler in enumerate(plan.get("handlers", [])):
        task = by_id.get(task_id_for(item.incoming_id, "handle", round_no, index))
        done = bool(task and task.status == "decided")  # 办理结果 reported, or (a 协办) returned with its reason
        planned = str(handler.get("deadline") or "")
        until = extended.get(task.task_id, "") if task else ""
        handlers.append(
            HandlerState(
                department=str(handler["department"]),
                department_name=names.get(str(handler["department"]), str(handler["department"])),
                role="主办" if index == 0 else "协办",
                assignee=task.assignee if task else "",
                assignee_name=directory.display_name(task.assignee, people) if task else "",
                deadline=until or planned,
                extended_from=(planned or "未设定") if until else "",
                due_at=task.due_at if task else "",
                status=_state(task),
                result=(task.opinion or "") if task and done else "",
                files=[file_view(f) for f in files if task and done and f.task_id == task.task_id],
                at=(task.decided_at or "") if task and done else "",
            )
        )
    readers = []
    for index, reader in enumerate(plan.get("readers", [])):
        task = by_id.get(task_id_for(item.incoming_id, "read", round_no, index))
        read = bool(task and task.status == "decided")
        readers.append(
            ReaderState(
                user_id=str(reader),
                name=directory.display_name(str(reader), people),
                read_at=(task.decided_at or "") if task and read else "",
                note=(task.opinion or "") if task and read else "",
                status=_state(task),
            )
        )
    leader = str(plan.get("leader") or "")
    return HandlingView(
        round=round_no,
        leader=leader,
        leader_name=directory.display_name(leader, people) if leader else "",
        proposal=item.proposal or "",
        proposed_by=item.proposed_by or "",
        proposed_at=item.proposed_at or "",
        instruction=item.instruction or "",
        instructed_at=item.instructed_at or "",
        handlers=handlers,
        readers=readers,
        result=item.result or "",
        checked_by=item.checked_by or "",
        checked_at=item.checked_at or "",
        archive_code=item.archive_code or "",
        archived_at=item.archived_at or "",
        replies=strs(item.replies),
        extensions=extensions_of(item.incoming_id),
    )


def file_view(file: ResultFileItem) -> ResultFileView:
    return ResultFileView(
        no=int(file.no),
        filename=file.filename,
        size=int(file.size),
        sha256=file.sha256,
        path=f"/api/incoming/{file.task_id.split('.', 1)[0]}/results/{file.task_id}/{int(file.no)}",
    )


def _state(task: TaskItem | None) -> str:
    """waiting, pending, done, returned (a 协办's 退回: its ``result`` is the reason), cancelled."""
    if task is None:
        return "waiting"
    if task.status == "decided" and task.decision == "return":
        return "returned"
    return {"pending": "pending", "decided": "done"}.get(task.status, task.status)


def view(user: dict[str, Any], incoming_id: str) -> IncomingView:
    item = readable(user, incoming_id)
    tasks = tasks_of(incoming_id)
    history = [
        {
            "step": h.step,
            "step_name": HISTORY_NAMES.get(h.step, h.step),
            "actor": h.actor,
            "decision": h.decision,
            "decision_name": DECISION_NAMES.get(h.decision, h.decision),
            "opinion": h.opinion or "",
            "at": h.at,
        }
        for h in sorted(history_of(incoming_id), key=lambda h: h.at)
    ]
    return IncomingView(
        **summary(item).model_dump(),
        doc_type=item.doc_type or "",
        copies=int(item.copies or 1),
        sign_date=item.sign_date or "",
        current_step=item.current_step or "",
        receipt_id=item.receipt_id or "",
        received_by=item.received_by or "",
        registered_by=item.registered_by or "",
        registered_at=item.registered_at or "",
        file_name=item.file_name or "",
        file_sha256=item.file_sha256 or "",
        file_size=int(item.file_size or 0),
        sheet_sha256=item.sheet_sha256 or "",
        seal=seal_of(item),
        pending=[t.assignee for t in tasks if t.status == "pending"],
        history=history,
        handling=handling(item, tasks),
        concluded_receipt=ConcludedReceiptState(
            status=item.concluded_receipt or "",
            words=RECEIPT_WORDS.get(item.concluded_receipt or "", ""),
            attempts=int(item.concluded_receipt_attempts or 0),
            error=item.concluded_receipt_error or "",
            at=item.concluded_receipt_at or "",
        ),
    )


@cache
def _s3() -> Any:
    return client("s3")


def received_file(user: dict[str, Any], incoming_id: str) -> tuple[str, bytes]:
    """The received PDF as it arrived: (file name, bytes)."""
    item = readable(user, incoming_id)
    body = _s3().get_object(Bucket=settings().archive_bucket, Key=item.file_key)["Body"].read()
    return item.file_name or f"{item.number or '来文'}.pdf", bytes(body)
