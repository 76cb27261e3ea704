"""Deciding a task exactly once: 同意 (approve), 退回修改 (return), 不同意 (reject), and 修改稿 (revise).

Exactly-once is decided by DynamoDB: the decision is one transaction whose conditions are
"the task is still pending and belongs to this person" and, through a link, "the link is unused
and unexpired". Whoever loses that race gets 409; nothing else changes. Only then is the
waiting execution answered.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from oa_core import audit, clock, flow, links, metrics
from oa_core.diffing import make_version
from oa_core.errors import Conflict, FlowUnavailable, Forbidden, InvalidInput
from oa_core.models import DecisionRequest, DecisionResult, RevisionRequest, TaskView
from oa_core.storage import (
    DocumentItem,
    LinkItem,
    RecordItem,
    TaskItem,
    connection,
    doc_pk,
    lost_on_condition,
    refused_parts,
    task_closed_actions,
)
from oa_core.tasks import history_item, load_document, load_task, open_tasks


def closed_message(task: TaskItem) -> str:
    if task.status == "cancelled":
        return "该事项已撤销（文件已被退回、否决或流程已结束），无需再处理 (this task was cancelled)"
    when = clock.to_minute(task.decided_at or "")
    return f"该事项已于 {when} 处理，不能重复决定 (this task was already decided)"


def decide(
    task_id: str,
    actor: str,
    request: DecisionRequest,
    *,
    via: str = "api",
    link: LinkItem | None = None,
) -> DecisionResult:
    """Decide a pending task once: 同意 (approve), 退回修改 (return) or 不同意 (reject)."""
    task = load_task(task_id)
    if task.assignee != actor:
        audit.record(
            actor,
            f"decide:{task.step}",
            task_id,
            "denied",
            "not the assignee",
            document_id=task.document_id,
        )
        raise Forbidden("只有该事项的承办人才能作出决定 (only the assignee may decide this task)")
    if task.step == "revise":
        raise InvalidInput("修改稿请通过“提交修改稿”提交 (submit a revision instead)")
    if task.step == "meeting" and task.status == "pending":
        from oa_core import meetings

        return meetings.decide(task, actor, request, via=via, link=link)
    if task.status != "pending":
        audit.record(
            actor,
            f"decide:{task.step}",
            task_id,
            "conflict",
            task.status,
            document_id=task.document_id,
        )
        raise Conflict(closed_message(task))
    doc = load_document(task.document_id)
    if request.edits is not None and task.step != "review":
        raise InvalidInput("只有核稿时可以修改文稿 (only the reviewer may edit the text)")

    now = clock.now_iso()
    decided: list[Action] = [
        *task_closed_actions("decided", now),
        TaskItem.decision.set(request.decision),
        TaskItem.opinion.set(request.opinion),
        TaskItem.decided_via.set(via),
    ]
    doc_actions: list[Action] = []
    new_version = None
    if request.edits is not None and request.edits.changed():
        new_version = make_version(doc, request.edits.changed(), actor, "核稿修改", int(doc.version) + 1)
        doc_actions += [getattr(DocumentItem, field).set(value) for field, value in request.edits.changed().items()]
        doc_actions += [
            DocumentItem.version.set(new_version.version),
            DocumentItem.word_count.set(new_version.word_count),
        ]
    if task.step == "sign" and request.decision == "approve":
        doc_actions += [DocumentItem.sign_date.set(now), DocumentItem.signed_by.set(actor)]
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                task,
                actions=decided,
                condition=(TaskItem.status == "pending") & (TaskItem.assignee == actor),
            )
            if link is not None:
                tx.update(link, actions=[LinkItem.used_at.set(now)], condition=links.consume_condition())
            if doc_actions:
                tx.update(
                    doc,
                    actions=[*doc_actions, DocumentItem.updated_at.set(now)],
                    condition=DocumentItem.version == doc.version,
                )
            if new_version is not None:
                tx.save(new_version, condition=RecordItem.PK.does_not_exist())
            tx.save(
                history_item(
                    doc.document_id,
                    task.step,
                    actor,
                    request.decision,
                    request.opinion,
                    [a.model_dump() for a in request.annotations],
                )
            )
            tx.save(
                audit.audit_item(
                    actor,
                    f"decide:{task.step}",
                    task_id,
                    request.decision,
                    via,
                    document_id=doc.document_id,
                )
            )
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise  # a fault, not a lost race: never tell the user someone else decided
        audit.record(
            actor,
            f"decide:{task.step}",
            task_id,
            "conflict",
            f"lost the race ({refused_parts(exc)})",
            document_id=doc.document_id,
        )
        raise Conflict("该事项刚刚已被处理，本次决定未生效 (decided by someone else just now)") from exc

    metrics.count("Decisions", step=task.step, decision=request.decision, via=via)
    deliver(
        task,
        request.decision,
        {"step": task.step, "actor": actor, "decision": request.decision, "opinion": request.opinion},
    )
    return DecisionResult(
        task_id=task_id,
        document_id=doc.document_id,
        step=task.step,
        decision=request.decision,
        status="decided",
    )


def revise(document_id: str, actor: str, request: RevisionRequest) -> DecisionResult:
    """提交修改稿: the drafter answers a return with a new version; the flow goes back to 核稿."""
    doc = load_document(document_id)
    if doc.drafter != actor:
        audit.record(actor, "revise", document_id, "denied", "not the drafter", document_id=document_id)
        raise Forbidden("只有拟稿人可以提交修改稿 (only the drafter may revise)")
    task = next(
        (t for t in open_tasks(document_id) if t.step == "revise" and t.assignee == actor),
        None,
    )
    if task is None:
        raise Conflict("该文件当前不在“退回修改”状态 (the document is not waiting for a revision)")
    changes = request.model_dump(exclude_none=True, exclude={"note"})
    if doc.doc_type == "请示" and len(changes.get("main_recipients", doc.main_recipients)) != 1:
        raise InvalidInput("请示应当一文一事，只能有一个主送机关")
    now = clock.now_iso()
    version = make_version(doc, changes, actor, "退回后修改", int(doc.version) + 1)
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                task,
                actions=[
                    *task_closed_actions("decided", now),
                    TaskItem.decision.set("revise"),
                    TaskItem.opinion.set(request.note),
                    TaskItem.decided_via.set("api"),
                ],
                condition=TaskItem.status == "pending",
            )
            tx.update(
                doc,
                actions=[
                    *[getattr(DocumentItem, field).set(value) for field, value in changes.items()],
                    DocumentItem.version.set(version.version),
                    DocumentItem.word_count.set(version.word_count),
                    DocumentItem.round.set(int(doc.round) + 1),
                    DocumentItem.updated_at.set(now),
                ],
                condition=DocumentItem.version == doc.version,
            )
            tx.save(version, condition=RecordItem.PK.does_not_exist())
            tx.save(history_item(document_id, "revise", actor, "revise", request.note))
            tx.save(
                audit.audit_item(
                    actor,
                    "revise",
                    document_id,
                    "ok",
                    f"v{version.version}",
                    document_id=document_id,
                )
            )
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict("修改稿已经提交过了 (a revision was already submitted)") from exc
    deliver(task, "revise", {"step": "revise", "actor": actor, "version": version.version})
    return DecisionResult(
        task_id=task.task_id,
        document_id=document_id,
        step="revise",
        decision="revise",
        status="decided",
    )


def deliver(task: TaskItem, decision: str, result: dict[str, Any]) -> None:
    """Tell the waiting execution. If the service cannot be reached, keep what to send on the task.

    The decision itself is already saved; `redeliver` (through the resume route) sends it later.
    """
    try:
        flow.answer(task.task_token, decision, result)
    except Conflict:
        raise
    except Exception as exc:
        pending = json.dumps({"decision": decision, "result": result}, ensure_ascii=False)
        task.update(actions=[TaskItem.answer_pending.set(pending)])
        audit.record(
            "system", f"deliver:{task.step}", task.task_id, "failed", repr(exc)[:300], document_id=task.document_id
        )
        raise FlowUnavailable(
            "您的决定已保存，但流程服务暂时不可用，尚未推进到下一步。文书或管理员可在该文件上点“继续处理”，"
            "无需您再次决定 (saved; the workflow service is unavailable, a clerk can resume it)"
        ) from exc


def redeliver(document_id: str) -> list[str]:
    """Send again every saved decision of a document that Step Functions has not received."""
    delivered = []
    for item in RecordItem.query(doc_pk(document_id), RecordItem.SK.startswith("TASK#"), consistent_read=True):
        if isinstance(item, TaskItem) and item.answer_pending:
            pending = json.loads(item.answer_pending)
            flow.answer(item.task_token, pending["decision"], pending["result"])
            item.update(actions=[TaskItem.answer_pending.remove()])
            audit.record("system", f"deliver:{item.step}", item.task_id, "ok", "redelivered", document_id=document_id)
            delivered.append(item.task_id)
    return delivered


def my_tasks(user_id: str) -> list[TaskView]:
    """我的待办: pending decisions of one person, by due time (one Query on GSI1)."""
    now = clock.now_iso()
    views = []
    for item in RecordItem.gsi1.query(f"ASSIGNEE#{user_id}"):
        if isinstance(item, TaskItem) and item.status == "pending":
            views.append(
                TaskView(
                    task_id=item.task_id,
                    document_id=item.document_id,
                    title=item.title,
                    step=item.step,
                    due_at=item.due_at,
                    overdue=item.due_at < now,
                )
            )
    return views
