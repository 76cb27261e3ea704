"""延期 and 改派: a 承办 department's later 办理时限 with the 批办 leader's consent, and the 文书 moving the 主办.

延期: the department holding a pending 承办 task asks (``POST /api/incoming/{id}/extensions``); the 批办
leader gets a task ``extend`` (no flow step: it carries no token) with a one-click link. 同意 moves the
承办 task's due time (and its place in the reminder index) and the 办理时限 its 工作台 row shows (its facts)
in the transaction that closes the request, conditional on the 承办 task still pending; 不同意 keeps it. One
request per task waits at a time.

改派 (``POST /api/incoming/{id}/reassign``): the office's 文书 gives the 主办's pending task to another
department's 文书 or 负责人, conditional on the task still pending and still the old assignee's, so a
改派 racing the 主办's 办理结果 is decided by DynamoDB: one of them wins, the other is 409.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.incoming import plans, steps
from oa_core.incoming.answers import lost, result
from oa_core.incoming.models import ExtensionRequest, Reassignment
from oa_core.incoming.storage import ExtensionItem, IncomingItem, load_incoming
from oa_core.platform import audit, clock, mail
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput
from oa_core.platform.storage import RecordItem, connection, lost_on_condition, subject_pk
from oa_core.workflow import links
from oa_core.workflow.decisions import close_in
from oa_core.workflow.models import DecisionRequest, DecisionResult
from oa_core.workflow.storage import LinkItem, TaskItem
from oa_core.workflow.tasks import history_item, load_task, new_task, task_id_for, tasks_of

EXTEND_DUE_HOURS = 48
EXTENSIONS_PER_TASK = 100


def _requests_of(incoming_id: str) -> list[ExtensionItem]:
    found = RecordItem.query(subject_pk(incoming_id), RecordItem.SK.startswith("EXT#"), consistent_read=True)
    return [item for item in found if isinstance(item, ExtensionItem)]


def listed(incoming_id: str) -> list[dict[str, str]]:
    """延期 requests of a 收文, for its page."""
    return [
        {
            "task_id": e.task_id,
            "department": e.department,
            "department_name": plans.department_name(e.department),
            "until": e.until,
            "reason": e.reason,
            "status": e.status,
            "status_name": {"pending": "待领导审批", "approved": "已同意", "refused": "未同意"}.get(e.status, e.status),
            "at": e.at,
        }
        for e in sorted(_requests_of(incoming_id), key=lambda e: e.at)
    ]


def _due_keys(task: TaskItem, due_at: str) -> list[Any]:
    return [
        TaskItem.due_at.set(due_at),
        TaskItem.GSI1SK.set(f"{due_at}#{task.task_id}"),
        TaskItem.GSI2SK.set(f"{due_at}#{task.task_id}"),
    ]


def _extended_facts(task: TaskItem, until: str) -> str:
    """The 承办 task's row facts (decision 117) with the 办理时限 the 延期 moved it to, marked extended."""
    facts = json.loads(task.facts) if task.facts else {}
    return json.dumps({**facts, "deadline": until, "extended": "yes"}, ensure_ascii=False)


def _facts_unchanged(task: TaskItem) -> Any:
    """The facts still as read (they are rewritten whole: a change in between is lost on the condition)."""
    return TaskItem.facts == task.facts if task.facts else TaskItem.facts.does_not_exist()


def request(user: dict[str, Any], incoming_id: str, body: ExtensionRequest) -> dict[str, Any]:
    """Ask the 批办 leader for a later 办理时限 of my pending 承办 task."""
    item = load_incoming(incoming_id)
    mine = [
        t
        for t in tasks_of(incoming_id)
        if t.step == "handle"
        and t.status == "pending"
        and t.assignee == user["user_id"]
        and int(t.round) == int(item.round or 1)
    ]
    if item.status != "handling" or not mine:
        raise Forbidden("只有正在承办这份收文的部门才能申请延期")
    handler = mine[0]
    until_due = plans.due_by(body.until)
    if until_due <= clock.parse(handler.due_at):
        raise InvalidInput("延期后的办理时限须晚于现在的办理时限")
    earlier = [e for e in _requests_of(incoming_id) if e.handler_task_id == handler.task_id]
    if any(e.status == "pending" for e in earlier):
        raise Conflict("已有一项延期申请在等待领导审批，请等待审批结果")
    leader = directory.get_user(str(plans.load(item.plan).get("leader", "")))
    if leader is None:
        raise InvalidInput("没有批办领导，无法申请延期，请联系文书")
    index = int(handler.task_id.rsplit(".", 1)[1]) * EXTENSIONS_PER_TASK + len(earlier)
    task_id = task_id_for(incoming_id, "extend", int(item.round or 1), index)
    due = clock.after_hours(EXTEND_DUE_HOURS)
    task = new_task(
        incoming_id,
        task_id,
        title=f"延期审批：{item.title}",
        doc_type=item.doc_type,
        step="extend",
        assignee=str(leader["user_id"]),
        round_no=int(item.round or 1),
        task_token="",
        due=due,
    )
    department = str(plans.load(item.plan)["handlers"][int(handler.task_id.rsplit(".", 1)[1])]["department"])
    now = clock.now_iso()
    extension = ExtensionItem(
        subject_pk(incoming_id),
        f"EXT#{task_id}",
        task_id=task_id,
        handler_task_id=handler.task_id,
        department=department,
        requested_by=str(user["user_id"]),
        until=body.until,
        reason=body.reason,
        previous_due_at=handler.due_at,
        status="pending",
        at=now,
    )
    link_id, link_item = links.new_link(task_id, incoming_id, str(leader["user_id"]), "extend")
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(task, condition=TaskItem.PK.does_not_exist())
            tx.save(extension, condition=ExtensionItem.PK.does_not_exist())
            tx.save(link_item)
            tx.condition_check(
                TaskItem,
                handler.PK,
                handler.SK,
                condition=(TaskItem.status == "pending") & (TaskItem.assignee == user["user_id"]),
            )
            tx.save(
                history_item(
                    incoming_id,
                    "extend",
                    str(user["user_id"]),
                    "extension_requested",
                    f"申请延期至 {body.until}：{body.reason}",
                )
            )
            tx.save(
                audit.audit_item(
                    str(user["user_id"]), "request_extension", task_id, "ok", body.until, document_id=incoming_id
                )
            )
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict("承办事项刚刚已办理或已有延期申请，本次申请未提交，请刷新") from exc
    steps.tell(
        item,
        leader,
        "extend",
        due,
        links.url(settings().public_base_url, link_id),
        extension_until=body.until,
        extension_from=clock.to_minute(handler.due_at),
        extension_reason=body.reason,
    )
    return {"task_id": task_id, "status": "pending", "until": body.until}


def decide(task: TaskItem, actor: str, request: DecisionRequest, via: str, link: LinkItem | None) -> DecisionResult:
    """The 批办 leader's 同意 (the 承办 task's due time moves) or 不同意 of a 延期 request."""
    if request.decision == "return":
        raise InvalidInput("延期申请只能同意或不同意")
    extension = ExtensionItem.get(subject_pk(task.document_id), f"EXT#{task.task_id}", consistent_read=True)
    handler = load_task(extension.handler_task_id)
    approved = request.decision == "approve"
    now = clock.now_iso()
    try:
        with TransactWrite(connection=connection()) as tx:
            close_in(tx, task, actor, request.decision, request.opinion, via, now, link)
            tx.update(
                extension,
                actions=[ExtensionItem.status.set("approved" if approved else "refused")],
                condition=ExtensionItem.status == "pending",
            )
            if approved:
                tx.update(
                    handler,
                    actions=[
                        *_due_keys(handler, clock.iso(plans.due_by(extension.until))),
                        TaskItem.facts.set(_extended_facts(handler, extension.until)),
                    ],
                    condition=(TaskItem.status == "pending") & _facts_unchanged(handler),
                )
            outcome = "extended" if approved else "extension_refused"
            tx.save(history_item(task.document_id, "extend", actor, outcome, request.opinion or extension.until))
            tx.save(audit.audit_item(actor, "decide:extend", task.task_id, outcome, via, document_id=task.document_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        if load_task(handler.task_id).status != "pending" and load_task(task.task_id).status == "pending":
            raise Conflict("该承办事项已经办理完毕，无需延期") from exc
        raise lost() from exc
    _tell_applicant(
        task.document_id,
        extension,
        approved,
        request.opinion,
        clock.iso(plans.due_by(extension.until)) if approved else "",
    )
    return result(task, request.decision, "approved" if approved else "refused")


def _tell_applicant(incoming_id: str, extension: ExtensionItem, approved: bool, opinion: str, new_due_at: str) -> None:
    """The 延期 outcome to the person who asked: the new 办理时限, or the leader's reason for 不同意."""
    applicant = directory.get_user(extension.requested_by)
    if applicant is None:
        return
    item = load_incoming(incoming_id)
    outcome_name = "已获同意" if approved else "未获同意"
    mail.send(
        [str(applicant["email"])],
        mail.subject_line(item.title, item.urgency or "", f"延期申请{outcome_name}"),
        "extension_outcome",
        {
            "name": applicant["name"],
            "department_name": plans.department_name(extension.department),
            "outcome_name": outcome_name,
            "approved": approved,
            "sender": item.sender,
            "sender_number": item.sender_number,
            "number": item.number or "",
            "title": item.title,
            "until": extension.until,
            "due_at": clock.to_minute(new_due_at or extension.previous_due_at),
            "opinion": opinion,
            "link": f"{settings().public_base_url}/incoming/{item.incoming_id}",
        },
    )


def reassign(user: dict[str, Any], incoming_id: str, body: Reassignment) -> dict[str, Any]:
    """改派主办: the 主办's pending task to another department, by the office's 文书 (audited)."""
    actor = str(user["user_id"])
    if not directory.is_office_clerk(user):
        audit.record(actor, "reassign", incoming_id, "denied", "not the office's clerk", document_id=incoming_id)
        raise Forbidden("只有办公室文书才能改派主办部门")
    item = load_incoming(incoming_id)
    if item.status != "handling":
        raise Conflict("这份收文不在承办环节，不能改派")
    plan = plans.load(item.plan)
    old = str(plan["handlers"][0]["department"])
    if body.department == old:
        raise InvalidInput("新的主办部门与原主办部门相同")
    known = plans.departments()
    if body.department not in known:
        raise InvalidInput(f"没有“{body.department}”这个部门，请从本单位部门中选择")
    if body.department in {str(h["department"]) for h in plan["handlers"]}:
        raise InvalidInput(f"“{known[body.department]}”已是协办部门，请另选主办部门")
    person = plans.handler_of(body.department)
    task = load_task(task_id_for(incoming_id, "handle", int(item.round or 1), 0))
    if task.status != "pending":
        raise Conflict("主办部门已报送办理结果，不能改派")
    plan["handlers"][0]["department"] = body.department
    new = str(person["user_id"])
    now = clock.now_iso()
    detail = f"主办由“{known.get(old, old)}”改派为“{known[body.department]}”：{body.reason}"
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                task,
                actions=[TaskItem.assignee.set(new), TaskItem.GSI1PK.set(f"ASSIGNEE#{new}")],
                condition=(TaskItem.status == "pending") & (TaskItem.assignee == task.assignee),
            )
            tx.update(
                item,
                actions=[IncomingItem.plan.set(plans.dump(plan)), IncomingItem.updated_at.set(now)],
                condition=(IncomingItem.status == "handling") & (IncomingItem.plan == item.plan),
            )
            tx.save(history_item(incoming_id, "reassign", actor, "reassigned", detail))
            tx.save(audit.audit_item(actor, "reassign", task.task_id, "ok", detail[:300], document_id=incoming_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict("主办部门刚刚已报送办理结果或已被改派，本次改派未生效，请刷新") from exc
    steps.tell(item, person, "handle", clock.parse(task.due_at))
    return {"task_id": task.task_id, "assignee": new, "department": body.department}
