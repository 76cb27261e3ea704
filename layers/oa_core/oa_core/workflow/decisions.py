"""Deciding a task exactly once: what every flow's decision shares, whatever the subject.

Exactly-once is decided by DynamoDB: a domain records its decision in one transaction into which
``close_in`` puts the task closed on ``decided_condition`` (still pending, still this person's) and,
through a link, ``links.consume_condition`` (the link is unused and unexpired). Whoever loses that
race gets 409; nothing else changes. Only then is the waiting execution answered (``deliver``);
an answer Step Functions did not receive is kept on the task and sent again by ``redeliver``.
The domains' own decisions: outgoing.decisions (核稿, 会签, 签发, 修改) and bookings.meetings
(会议室预订审批); worklist.decide hands a task to its domain.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from oa_core.platform import audit, clock
from oa_core.platform.errors import Conflict, FlowUnavailable, Forbidden
from oa_core.platform.storage import RecordItem
from oa_core.workflow import flow, links
from oa_core.workflow.models import TaskView
from oa_core.workflow.storage import LinkItem, TaskItem, task_decided_actions
from oa_core.workflow.tasks import tasks_of


def closed_message(task: TaskItem) -> str:
    if task.status == "cancelled":
        return "该事项已撤销（文件已被退回、否决或流程已结束），无需再处理 (this task was cancelled)"
    when = clock.to_minute(task.decided_at or "")
    return f"该事项已于 {when} 处理，不能重复决定 (this task was already decided)"


def ensure_assignee(task: TaskItem, actor: str) -> None:
    """Only the task's assignee decides it (403, audited, otherwise)."""
    if task.assignee != actor:
        audit.record(
            actor, f"decide:{task.step}", task.task_id, "denied", "not the assignee", document_id=task.document_id
        )
        raise Forbidden("只有该事项的承办人才能作出决定 (only the assignee may decide this task)")


def ensure_pending(task: TaskItem, actor: str) -> None:
    """A decided or cancelled task is not decided again (409, audited, saying when and why)."""
    if task.status != "pending":
        audit.record(actor, f"decide:{task.step}", task.task_id, "conflict", task.status, document_id=task.document_id)
        raise Conflict(closed_message(task))


def decided_actions(task: TaskItem, decision: str, opinion: str, via: str, at: str) -> list[Action]:
    """What a decision writes on its task: closed (into its assignee's 已办), with the decision, the
    opinion and where it came from."""
    return [
        *task_decided_actions(task.task_id, task.assignee, at),
        TaskItem.decision.set(decision),
        TaskItem.opinion.set(opinion),
        TaskItem.decided_via.set(via),
    ]


def decided_condition(actor: str) -> Condition:
    """The decision's own condition: the task is still pending and still this person's."""
    condition: Condition = (TaskItem.status == "pending") & (TaskItem.assignee == actor)
    return condition


def close_in(
    tx: TransactWrite, task: TaskItem, actor: str, decision: str, opinion: str, via: str, at: str, link: LinkItem | None
) -> None:
    """Put the decision's own writes into the domain's transaction: the task closed on its conditions
    (still pending, still actor's) and, through a link, the link used (unused and unexpired)."""
    tx.update(task, actions=decided_actions(task, decision, opinion, via, at), condition=decided_condition(actor))
    if link is not None:
        tx.update(link, actions=[LinkItem.used_at.set(at)], condition=links.consume_condition())


def deliver(task: TaskItem, decision: str, result: dict[str, Any], *, flow_name: str) -> None:
    """Tell the waiting execution. If the service cannot be reached, keep what to send on the task.

    The decision itself is already saved; `redeliver` (through the resume route) sends it later.
    """
    try:
        flow.answer(task.task_token, decision, result, flow_name=flow_name)
    except Conflict:
        raise
    except Exception as exc:
        pending = json.dumps({"decision": decision, "result": result, "flow": flow_name}, ensure_ascii=False)
        task.update(actions=[TaskItem.answer_pending.set(pending)])
        audit.record(
            "system", f"deliver:{task.step}", task.task_id, "failed", repr(exc)[:300], document_id=task.document_id
        )
        raise FlowUnavailable(
            "您的决定已保存，但流程服务暂时不可用，尚未推进到下一步。文书或管理员可在该文件上点“继续处理”，"
            "无需您再次决定 (saved; the workflow service is unavailable, a clerk can resume it)"
        ) from exc


def redeliver(subject_id: str, *, flow_name: str) -> list[str]:
    """Send again every saved decision of a subject that Step Functions has not received."""
    delivered = []
    for item in tasks_of(subject_id):
        if item.answer_pending:
            pending = json.loads(item.answer_pending)
            flow.answer(
                item.task_token, pending["decision"], pending["result"], flow_name=pending.get("flow", flow_name)
            )
            item.update(actions=[TaskItem.answer_pending.remove()])
            audit.record("system", f"deliver:{item.step}", item.task_id, "ok", "redelivered", document_id=subject_id)
            delivered.append(item.task_id)
    return delivered


def my_tasks(user_id: str) -> list[TaskView]:
    """我的待办: pending decisions of one person across every flow, by due time (one Query on GSI1)."""
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
                    facts=json.loads(item.facts) if item.facts else {},
                )
            )
    return views
