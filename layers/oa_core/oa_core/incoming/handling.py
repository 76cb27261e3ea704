"""拟办 → 批办 → 承办 / 传阅 → 办结审核 ⇄ 办结, each decided once through ``/api/tasks/{id}/decision``.

Every decision is one transaction: the task closed on its conditions (still pending, still this
person's; through a link, the link unused), the 收文 changed on the status and round it was decided
in, the opinion (history) and the audit record; only then is the flow answered. A lost race is 409
and changes nothing.

- 拟办 (approve, with the plan and the 拟办意见): the plan is checked (incoming.plans) and stored; return
  (with the reason): back to 登记 (next round), where the 文书 corrects the registration, keeping its 收文编号.
- 批办 (approve: the 批示, may change 主办/协办/readers; return: back to 拟办, next round). Its answer
  carries the Map's items (``$.plan.items``).
- 承办 (approve: the department's 办理结果, the 主办's is the final one; return: 不属于本单位职责, back to
  拟办, the other open tasks cancelled); 传阅 (approve: 已阅, the opinion is the 阅示).
- 办结审核 by the 文书 (approve: 归档 follows; return: to the 主办, who 办结s again).
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from oa_core.incoming import plans
from oa_core.incoming.answers import answer, lost, result
from oa_core.incoming.flow import FLOW
from oa_core.incoming.models import IncomingPlan
from oa_core.incoming.storage import IncomingItem, load_incoming, status_actions
from oa_core.platform import audit, clock
from oa_core.platform.errors import InvalidInput
from oa_core.platform.storage import connection, lost_on_condition
from oa_core.workflow.decisions import close_in, deliver
from oa_core.workflow.models import DecisionRequest, DecisionResult
from oa_core.workflow.storage import LinkItem, TaskItem
from oa_core.workflow.tasks import cancel_open_tasks, history_item

ONLY = {
    "propose": "拟办环节请提出拟办方案和拟办意见后提交，或写明理由退回登记",
    "instruct": "批办环节可以批示（同意）或退回拟办",
    "handle": "承办环节请报送办理结果，或说明不属于本单位职责后退回",
    "read": "传阅环节请点“已阅”，可填写阅示",
    "check": "办结审核可以同意归档，或退回主办部门",
    "conclude": "请填写最终办理结果后办结",
}
ALLOWED = {
    "propose": ("approve", "return"),
    "instruct": ("approve", "return"),
    "handle": ("approve", "return"),
    "read": ("approve",),
    "check": ("approve", "return"),
    "conclude": ("approve",),
}


def decide(
    task: TaskItem, actor: str, request: DecisionRequest, plan: IncomingPlan | None, via: str, link: LinkItem | None
) -> DecisionResult:
    if task.step not in ALLOWED:
        raise InvalidInput(f"收文没有“{task.step}”环节")
    if request.decision not in ALLOWED[task.step]:
        raise InvalidInput(ONLY[task.step])
    item = load_incoming(task.document_id)
    step = {
        "propose": _propose,
        "instruct": _instruct,
        "handle": _handle,
        "read": _read,
        "check": _check,
        "conclude": _conclude,
    }[task.step]
    return step(task, item, actor, request, plan, via, link)


def in_round(task: TaskItem, status: str) -> Condition:
    """The 收文 still waits in ``status`` in the round the task was opened in."""
    round_no = int(task.round or 1)
    same: Condition = IncomingItem.round == round_no
    if round_no == 1:
        same = IncomingItem.round.does_not_exist() | same
    condition: Condition = (IncomingItem.status == status) & same
    return condition


def _commit(
    task: TaskItem,
    item: IncomingItem,
    actor: str,
    request: DecisionRequest,
    via: str,
    link: LinkItem | None,
    *,
    actions: list[Any],
    condition: Condition,
    outcome: str,
    now: str,
) -> None:
    try:
        with TransactWrite(connection=connection()) as tx:
            close_in(tx, task, actor, request.decision, request.opinion, via, now, link)
            tx.update(item, actions=actions, condition=condition)
            tx.save(history_item(item.incoming_id, task.step, actor, outcome, request.opinion))
            tx.save(
                audit.audit_item(actor, f"decide:{task.step}", task.task_id, outcome, via, document_id=item.incoming_id)
            )
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise lost() from exc


def _back_to_proposal(item: IncomingItem, task: TaskItem, now: str) -> list[Any]:
    """退回拟办: the next round (new task ids), the 收文 waiting for 拟办 again."""
    return [*status_actions(item, "proposing", "propose", now), IncomingItem.round.set(int(task.round or 1) + 1)]


def _propose(
    task: TaskItem,
    item: IncomingItem,
    actor: str,
    request: DecisionRequest,
    plan: IncomingPlan | None,
    via: str,
    link: LinkItem | None,
) -> DecisionResult:
    if request.decision == "return":
        if plan is not None:
            raise InvalidInput("退回登记时无需提出拟办方案")
        now = clock.now_iso()
        back = [*status_actions(item, "registering", "register", now), IncomingItem.round.set(int(task.round or 1) + 1)]
        condition = in_round(task, "proposing")
        _commit(task, item, actor, request, via, link, actions=back, condition=condition, outcome="returned", now=now)
        deliver(task, "return", answer(actor, "propose", "return", request.opinion), flow_name=FLOW)
        return result(task, "return", "registering")
    if plan is None:
        raise InvalidInput("请提出拟办方案：批办领导、主办部门（及协办部门）、传阅人员")
    if not request.opinion:
        raise InvalidInput("请填写拟办意见")
    stored = plans.check(plan, deadline=item.deadline or "")
    now = clock.now_iso()
    actions = [
        *status_actions(item, "instructing", "instruct", now),
        IncomingItem.plan.set(plans.dump(stored)),
        IncomingItem.proposal.set(request.opinion),
        IncomingItem.proposed_by.set(actor),
        IncomingItem.proposed_at.set(now),
    ]
    condition = in_round(task, "proposing")
    _commit(task, item, actor, request, via, link, actions=actions, condition=condition, outcome="proposed", now=now)
    deliver(task, "approve", answer(actor, "propose", "approve", request.opinion, plan=stored), flow_name=FLOW)
    return result(task, "approve", "instructing")


def _instruct(
    task: TaskItem,
    item: IncomingItem,
    actor: str,
    request: DecisionRequest,
    plan: IncomingPlan | None,
    via: str,
    link: LinkItem | None,
) -> DecisionResult:
    now = clock.now_iso()
    condition = in_round(task, "instructing")
    if request.decision == "return":
        if plan is not None:
            raise InvalidInput("退回拟办时无需修改拟办方案")
        actions = _back_to_proposal(item, task, now)
        _commit(
            task, item, actor, request, via, link, actions=actions, condition=condition, outcome="returned", now=now
        )
        deliver(task, "return", answer(actor, "instruct", "return", request.opinion), flow_name=FLOW)
        return result(task, "return", "proposing")
    current = plans.load(item.plan)
    stored = current
    if plan is not None:
        stored = plans.check(plan, deadline=item.deadline or "", leader=str(current.get("leader", "")))
        stored["leader"] = current.get("leader", "")  # 批办 changes who 承办s and 阅s, not who 批办s
    instruction = request.opinion or "同意拟办意见"
    actions = [
        *status_actions(item, "handling", "handle", now),
        IncomingItem.plan.set(plans.dump(stored)),
        IncomingItem.instruction.set(instruction),
        IncomingItem.instructed_by.set(actor),
        IncomingItem.instructed_at.set(now),
    ]
    _commit(task, item, actor, request, via, link, actions=actions, condition=condition, outcome="instructed", now=now)
    deliver(
        task, "approve", answer(actor, "instruct", "approve", instruction, **plans.flow_items(stored)), flow_name=FLOW
    )
    return result(task, "approve", "handling")


def handler_index(task: TaskItem) -> int:
    """A Map item's index, the last part of its task id (0: the 主办)."""
    return int(task.task_id.rsplit(".", 1)[1])


def _handle(
    task: TaskItem,
    item: IncomingItem,
    actor: str,
    request: DecisionRequest,
    plan: IncomingPlan | None,
    via: str,
    link: LinkItem | None,
) -> DecisionResult:
    now = clock.now_iso()
    condition = in_round(task, "handling")
    if request.decision == "return":
        back = _back_to_proposal(item, task, now)
        _commit(task, item, actor, request, via, link, actions=back, condition=condition, outcome="returned", now=now)
        cancel_open_tasks(item.incoming_id, "a 承办 department returned the 收文 to 拟办")
        deliver(task, "return", answer(actor, "handle", "return", request.opinion), flow_name=FLOW)
        return result(task, "return", "proposing")
    if not request.opinion:
        raise InvalidInput("请填写办理结果")
    actions: list[Any] = [IncomingItem.updated_at.set(now)]
    if handler_index(task) == 0:
        actions.append(IncomingItem.result.set(request.opinion))  # the 主办's 办理结果 is the final one
    _commit(task, item, actor, request, via, link, actions=actions, condition=condition, outcome="done", now=now)
    deliver(task, "approve", answer(actor, "handle", "approve", request.opinion), flow_name=FLOW)
    return result(task, "approve", "handling")


def _read(
    task: TaskItem,
    item: IncomingItem,
    actor: str,
    request: DecisionRequest,
    plan: IncomingPlan | None,
    via: str,
    link: LinkItem | None,
) -> DecisionResult:
    now = clock.now_iso()
    actions = [IncomingItem.updated_at.set(now)]
    condition = in_round(task, "handling")
    _commit(task, item, actor, request, via, link, actions=actions, condition=condition, outcome="read", now=now)
    deliver(task, "approve", answer(actor, "read", "approve", request.opinion), flow_name=FLOW)
    return result(task, "approve", "handling")


def _check(
    task: TaskItem,
    item: IncomingItem,
    actor: str,
    request: DecisionRequest,
    plan: IncomingPlan | None,
    via: str,
    link: LinkItem | None,
) -> DecisionResult:
    now = clock.now_iso()
    condition: Condition = IncomingItem.status == "checking"
    if request.decision == "return":
        actions = status_actions(item, "concluding", "conclude", now)
        _commit(
            task, item, actor, request, via, link, actions=actions, condition=condition, outcome="returned", now=now
        )
        deliver(task, "return", answer(actor, "check", "return", request.opinion), flow_name=FLOW)
        return result(task, "return", "concluding")
    actions = [IncomingItem.updated_at.set(now), IncomingItem.checked_by.set(actor), IncomingItem.checked_at.set(now)]
    _commit(task, item, actor, request, via, link, actions=actions, condition=condition, outcome="checked", now=now)
    deliver(task, "approve", answer(actor, "check", "approve", request.opinion), flow_name=FLOW)
    return result(task, "approve", "checking")


def _conclude(
    task: TaskItem,
    item: IncomingItem,
    actor: str,
    request: DecisionRequest,
    plan: IncomingPlan | None,
    via: str,
    link: LinkItem | None,
) -> DecisionResult:
    if not request.opinion:
        raise InvalidInput("请填写最终办理结果")
    now = clock.now_iso()
    actions = [*status_actions(item, "checking", "check", now), IncomingItem.result.set(request.opinion)]
    condition: Condition = IncomingItem.status == "concluding"
    _commit(task, item, actor, request, via, link, actions=actions, condition=condition, outcome="concluded", now=now)
    deliver(task, "approve", answer(actor, "conclude", "approve", request.opinion), flow_name=FLOW)
    return result(task, "approve", "checking")
