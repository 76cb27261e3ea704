"""Human steps (核稿, 会签, 签发, 修改): opening a waiting task and deciding it exactly once.

Exactly-once is decided by DynamoDB: the decision is one transaction whose conditions are
"the task is still pending and belongs to this person" and, through a link, "the link is unused
and unexpired". Whoever loses that race gets 409; nothing else changes.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from oa_core import audit, clock, directory, flow, links, notify
from oa_core.config import settings
from oa_core.diffing import make_version
from oa_core.errors import Conflict, Forbidden, InvalidInput, NotFound
from oa_core.models import DecisionRequest, DecisionResult, RevisionRequest, TaskView
from oa_core.storage import (
    DocumentItem,
    HistoryItem,
    LinkItem,
    RecordItem,
    TaskItem,
    connection,
    doc_pk,
)

HUMAN_STEPS = ("review", "countersign", "sign", "revise")
STEP_STATUS = {
    "review": "in_review",
    "countersign": "countersigning",
    "sign": "signing",
    "revise": "returned",
}


def task_id_for(document_id: str, step: str, round_no: int, index: int = 0) -> str:
    """Deterministic per document, step, round and person, so a retried step reuses its task."""
    return f"{document_id}.{step}.{round_no}.{index}"


def document_id_of(task_id: str) -> str:
    return task_id.split(".", 1)[0]


def load_document(document_id: str) -> DocumentItem:
    try:
        return DocumentItem.get(doc_pk(document_id), "META", consistent_read=True)
    except DocumentItem.DoesNotExist:
        raise NotFound(f"文件 {document_id} 不存在 (no such document)") from None


def open_task(document_id: str, step: str, assignee: str, task_token: str, index: int = 0) -> dict[str, Any]:
    """Record a waiting human step with its task token, then email the person a link.

    The token is stored only in the task item; what leaves this function is the task id.
    """
    doc = load_document(document_id)
    user = directory.get_user(assignee)
    if user is None:
        raise InvalidInput(f"用户 {assignee} 不在组织机构中 (unknown user)")
    task_id = task_id_for(document_id, step, int(doc.round), index)
    created = clock.now()
    due = created + timedelta(hours=settings().due_hours[step])
    link_id, link_item = links.new_link(task_id, document_id, assignee, step)
    task = TaskItem(
        doc_pk(document_id),
        f"TASK#{task_id}",
        task_id=task_id,
        document_id=document_id,
        step=step,
        assignee=assignee,
        round=int(doc.round),
        status="pending",
        task_token=task_token,
        created_at=clock.iso(created),
        due_at=clock.iso(due),
        GSI1PK=f"ASSIGNEE#{assignee}",
        GSI1SK=f"{clock.iso(due)}#{task_id}",
        GSI2PK=f"OPEN#{step}",
        GSI2SK=f"{clock.iso(due)}#{task_id}",
    )
    status = STEP_STATUS[step]
    with TransactWrite(connection=connection()) as tx:
        # A retried invocation replaces the token of its own still-pending task; a decided task stays decided.
        tx.save(task, condition=TaskItem.PK.does_not_exist() | (TaskItem.status == "pending"))
        tx.save(link_item)
        tx.update(
            doc,
            actions=[
                DocumentItem.status.set(status),
                DocumentItem.current_step.set(step),
                DocumentItem.updated_at.set(clock.now_iso()),
                DocumentItem.GSI2PK.set(f"STATUS#{status}"),
                DocumentItem.GSI2SK.set(clock.now_iso()),
            ],
        )
        tx.save(audit.audit_item("system", f"open_task:{step}", task_id, "ok", assignee, document_id=document_id))
    opinion = ""
    if step == "revise":
        returned = [h for h in history_of(document_id) if h.decision == "return"]
        opinion = returned[-1].opinion if returned else ""
    notify.task_assigned(doc, user, step, links.url(doc.base_url, link_id), clock.iso(due), opinion)
    return {"task_id": task_id, "assignee": assignee, "due_at": clock.iso(due)}


def history_of(document_id: str) -> list[HistoryItem]:
    return [
        item
        for item in RecordItem.query(doc_pk(document_id), RecordItem.SK.startswith("HIST#"), consistent_read=True)
        if isinstance(item, HistoryItem)
    ]


def history_item(document_id: str, step: str, actor: str, decision: str, opinion: str = "") -> HistoryItem:
    at = clock.now_iso()
    return HistoryItem(
        doc_pk(document_id),
        f"HIST#{at}#{secrets.token_hex(3)}",
        document_id=document_id,
        step=step,
        actor=actor,
        decision=decision,
        opinion=opinion,
        at=at,
    )


def load_task(task_id: str) -> TaskItem:
    try:
        return TaskItem.get(doc_pk(document_id_of(task_id)), f"TASK#{task_id}", consistent_read=True)
    except TaskItem.DoesNotExist:
        raise NotFound(f"待办事项 {task_id} 不存在 (no such task)") from None


def _closed_message(task: TaskItem) -> str:
    if task.status == "cancelled":
        return "该事项已撤销（文件已被退回、否决或流程已结束），无需再处理 (this task was cancelled)"
    when = (task.decided_at or "")[:16].replace("T", " ")
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
    if task.status != "pending":
        audit.record(
            actor,
            f"decide:{task.step}",
            task_id,
            "conflict",
            task.status,
            document_id=task.document_id,
        )
        raise Conflict(_closed_message(task))
    doc = load_document(task.document_id)
    if request.edits is not None and task.step != "review":
        raise InvalidInput("只有核稿时可以修改文稿 (only the reviewer may edit the text)")

    now = clock.now_iso()
    decided: list[Action] = [
        TaskItem.status.set("decided"),
        TaskItem.decision.set(request.decision),
        TaskItem.opinion.set(request.opinion),
        TaskItem.decided_at.set(now),
        TaskItem.decided_via.set(via),
        TaskItem.GSI1PK.remove(),
        TaskItem.GSI1SK.remove(),
        TaskItem.GSI2PK.remove(),
        TaskItem.GSI2SK.remove(),
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
            tx.save(history_item(doc.document_id, task.step, actor, request.decision, request.opinion))
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
        audit.record(
            actor,
            f"decide:{task.step}",
            task_id,
            "conflict",
            "lost the race",
            document_id=doc.document_id,
        )
        raise Conflict("该事项刚刚已被处理，本次决定未生效 (decided by someone else just now)") from exc

    flow.answer(
        task.task_token,
        request.decision,
        {
            "step": task.step,
            "actor": actor,
            "decision": request.decision,
            "opinion": request.opinion,
        },
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
                    TaskItem.status.set("decided"),
                    TaskItem.decision.set("revise"),
                    TaskItem.opinion.set(request.note),
                    TaskItem.decided_at.set(now),
                    TaskItem.decided_via.set("api"),
                    TaskItem.GSI1PK.remove(),
                    TaskItem.GSI1SK.remove(),
                    TaskItem.GSI2PK.remove(),
                    TaskItem.GSI2SK.remove(),
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
        raise Conflict("修改稿已经提交过了 (a revision was already submitted)") from exc
    flow.answer(task.task_token, "revise", {"step": "revise", "actor": actor, "version": version.version})
    return DecisionResult(
        task_id=task.task_id,
        document_id=document_id,
        step="revise",
        decision="revise",
        status="decided",
    )


def open_tasks(document_id: str) -> list[TaskItem]:
    return [
        item
        for item in RecordItem.query(doc_pk(document_id), RecordItem.SK.startswith("TASK#"), consistent_read=True)
        if isinstance(item, TaskItem) and item.status == "pending"
    ]


def cancel_open_tasks(document_id: str, reason: str) -> int:
    """Close every still-pending task of a document (e.g. the other countersigners after a return)."""
    cancelled = 0
    for task in open_tasks(document_id):
        try:
            task.update(
                actions=[
                    TaskItem.status.set("cancelled"),
                    TaskItem.decided_at.set(clock.now_iso()),
                    TaskItem.GSI1PK.remove(),
                    TaskItem.GSI1SK.remove(),
                    TaskItem.GSI2PK.remove(),
                    TaskItem.GSI2SK.remove(),
                ],
                condition=TaskItem.status == "pending",
            )
            cancelled += 1
            audit.record("system", "cancel_task", task.task_id, "cancelled", reason, document_id=document_id)
        except Exception as exc:
            if "ConditionalCheckFailed" not in repr(exc):
                raise
    return cancelled


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
                    step=item.step,
                    due_at=item.due_at,
                    overdue=item.due_at < now,
                )
            )
    return views
