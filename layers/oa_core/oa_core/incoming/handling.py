"""拟办 → 批办 → 承办 / 传阅 → 办结审核 ⇄ 办结, each decided once through ``/api/tasks/{id}/decision``.

Every decision is one transaction: the task closed on its conditions (still pending, still this
person's; through a link, the link unused), the 收文 changed on the status and round it was decided
in, the opinion (history) and the audit record; only then is the flow answered. A lost race is 409
and changes nothing.

- 拟办 (approve, with the plan and the 拟办意见): the plan is checked (incoming.plans) and stored; return
  (with the reason): back to 登记 (next round), where the 文书 corrects the registration, keeping its 收文编号.
- 批办 (approve: the 批示, may change 主办/协办/readers; return: back to 拟办, next round). Its answer
  carries the Map's items (``$.plan.items``).
- 承办 (approve: the department's 办理结果, the 主办's is the final one, with its 附件 (ResultFile, checked
  and stored before) put as ResultFileItems in the same transaction; the 主办's return: 不属于本单位职责,
  back to 拟办, the other open tasks cancelled; a 协办's return (step ``assist`` in MOVES): only its own
  part ends, its Map item answered as ended, the 收文 goes on, the 文书 and 主办 told, incoming.assist_return);
  传阅 (approve: 已阅, the opinion is the 阅示).
- 办结审核 by the 文书 (approve: 归档 follows; return: to the 主办, who 办结s again).

Each (step, decision) is one row of ``MOVES``: what it checks, what it writes, the condition it is
written on, its history wording and the status it answers; ``decide`` is the one driver of them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from oa_core.incoming import assist_return, plans
from oa_core.incoming.answers import answer, lost, result
from oa_core.incoming.flow import FLOW
from oa_core.incoming.models import IncomingPlan, ResultFile
from oa_core.incoming.storage import IncomingItem, ResultFileItem, load_incoming, result_file_key, status_actions
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


@dataclass(frozen=True)
class Decided:
    """One decision being taken: the task, the 收文 as read, who, what, and when."""

    task: TaskItem
    item: IncomingItem
    actor: str
    request: DecisionRequest
    plan: IncomingPlan | None
    now: str
    files: tuple[ResultFile, ...] = ()


@dataclass
class Written:
    """What a decision writes: the 收文's update actions, and what the flow is answered beyond the opinion."""

    actions: list[Any]
    opinion: str | None = None
    """The answer's opinion when it is not the request's (批办's default 批示)."""
    extras: dict[str, Any] = field(default_factory=dict)
    saves: list[Any] = field(default_factory=list)
    """Items put in the same transaction (办理结果's 附件)."""


def _nothing(_: Decided) -> None:
    return None


@dataclass(frozen=True)
class Move:
    """One (step, decision): checked, written on its condition, worded in the history, answered."""

    status: str
    """The 收文's status the decision is taken in (the condition, with the round for ``in_round``)."""
    outcome: str
    """The history's wording (incoming.queries.DECISION_NAMES)."""
    answers: str
    """The status the result reports."""
    write: Callable[[Decided], Written]
    check: Callable[[Decided], None] = _nothing
    after: Callable[[Decided], None] = _nothing
    """After the commit, before the flow is answered."""
    by_round: bool = True
    """The condition also names the round (steps a 退回 to 拟办 can overtake)."""
    tells_flow: str = ""
    """The decision the flow hears when it is not the request's (a 协办's 退回 ends its Map item: approve)."""


def in_round(task: TaskItem, status: str) -> Condition:
    """The 收文 still waits in ``status`` in the round the task was opened in."""
    round_no = int(task.round or 1)
    same: Condition = IncomingItem.round == round_no
    if round_no == 1:
        same = IncomingItem.round.does_not_exist() | same
    condition: Condition = (IncomingItem.status == status) & same
    return condition


def handler_index(task: TaskItem) -> int:
    """A Map item's index, the last part of its task id (0: the 主办)."""
    return int(task.task_id.rsplit(".", 1)[1])


def move_step(task: TaskItem) -> str:
    """The row of ``MOVES`` a task's decisions take: a 协办's 承办 is ``assist``, its 退回 ending only its part."""
    return "assist" if task.step == "handle" and handler_index(task) != 0 else task.step


def _next_round(d: Decided) -> Any:
    return IncomingItem.round.set(int(d.task.round or 1) + 1)


def _no_plan(message: str) -> Callable[[Decided], None]:
    def check(d: Decided) -> None:
        if d.plan is not None:
            raise InvalidInput(message)

    return check


def _required(message: str) -> Callable[[Decided], None]:
    def check(d: Decided) -> None:
        if not d.request.opinion:
            raise InvalidInput(message)

    return check


def _proposal_given(d: Decided) -> None:
    if d.plan is None:
        raise InvalidInput("请提出拟办方案：批办领导、主办部门（及协办部门）、传阅人员")
    if not d.request.opinion:
        raise InvalidInput("请填写拟办意见")


def _to_registration(d: Decided) -> Written:
    """退回登记: the next round, the 文书 corrects the registration."""
    return Written([*status_actions(d.item, "registering", "register", d.now), _next_round(d)])


def _to_proposal(d: Decided) -> Written:
    """退回拟办: the next round (new task ids), the 收文 waiting for 拟办 again."""
    return Written([*status_actions(d.item, "proposing", "propose", d.now), _next_round(d)])


def _proposal(d: Decided) -> Written:
    if d.plan is None:  # _proposal_given refused it already
        raise InvalidInput("请提出拟办方案：批办领导、主办部门（及协办部门）、传阅人员")
    stored = plans.check(d.plan, deadline=d.item.deadline or "")
    actions = [
        *status_actions(d.item, "instructing", "instruct", d.now),
        IncomingItem.plan.set(plans.dump(stored)),
        IncomingItem.proposal.set(d.request.opinion),
        IncomingItem.proposed_by.set(d.actor),
        IncomingItem.proposed_at.set(d.now),
    ]
    return Written(actions, extras={"plan": stored})


def _instruction(d: Decided) -> Written:
    current = plans.load(d.item.plan)
    stored = current
    if d.plan is not None:
        stored = plans.check(d.plan, deadline=d.item.deadline or "", leader=str(current.get("leader", "")))
        stored["leader"] = current.get("leader", "")  # 批办 changes who 承办s and 阅s, not who 批办s
    instruction = d.request.opinion or "同意拟办意见"
    actions = [
        *status_actions(d.item, "handling", "handle", d.now),
        IncomingItem.plan.set(plans.dump(stored)),
        IncomingItem.instruction.set(instruction),
        IncomingItem.instructed_by.set(d.actor),
        IncomingItem.instructed_at.set(d.now),
    ]
    return Written(actions, opinion=instruction, extras=plans.flow_items(stored))


def _handled(d: Decided) -> Written:
    actions: list[Any] = [IncomingItem.updated_at.set(d.now)]
    if handler_index(d.task) == 0:
        actions.append(IncomingItem.result.set(d.request.opinion))  # the 主办's 办理结果 is the final one
    saves = [
        ResultFileItem(
            *result_file_key(d.item.incoming_id, d.task.task_id, f.no),
            task_id=d.task.task_id,
            file_kind=f.kind,
            **f.model_dump(exclude={"kind"}),
        )
        for f in d.files
    ]
    return Written(actions, saves=saves)


def _cancel_others(d: Decided) -> None:
    cancel_open_tasks(d.item.incoming_id, "a 承办 department returned the 收文 to 拟办")


def _assist_returned(d: Decided) -> Written:
    """协办退回: the 收文 stays in 承办 (its task closed as 退回 with the reason is the record)."""
    return Written([IncomingItem.updated_at.set(d.now)])


def _tell_assist_return(d: Decided) -> None:
    assist_return.told(d.item, d.task, d.request.opinion)


def _touched(d: Decided) -> Written:
    return Written([IncomingItem.updated_at.set(d.now)])


def _to_lead(d: Decided) -> Written:
    return Written(status_actions(d.item, "concluding", "conclude", d.now))


def _checked(d: Decided) -> Written:
    return Written(
        [IncomingItem.updated_at.set(d.now), IncomingItem.checked_by.set(d.actor), IncomingItem.checked_at.set(d.now)]
    )


def _concluded(d: Decided) -> Written:
    return Written([*status_actions(d.item, "checking", "check", d.now), IncomingItem.result.set(d.request.opinion)])


MOVES: dict[tuple[str, str], Move] = {
    ("propose", "approve"): Move("proposing", "proposed", "instructing", _proposal, check=_proposal_given),
    ("propose", "return"): Move(
        "proposing", "returned", "registering", _to_registration, check=_no_plan("退回登记时无需提出拟办方案")
    ),
    ("instruct", "approve"): Move("instructing", "instructed", "handling", _instruction),
    ("instruct", "return"): Move(
        "instructing", "returned", "proposing", _to_proposal, check=_no_plan("退回拟办时无需修改拟办方案")
    ),
    ("handle", "approve"): Move("handling", "done", "handling", _handled, check=_required("请填写办理结果")),
    ("handle", "return"): Move("handling", "returned", "proposing", _to_proposal, after=_cancel_others),
    ("assist", "approve"): Move("handling", "done", "handling", _handled, check=_required("请填写办理结果")),
    ("assist", "return"): Move(
        "handling",
        "assist_returned",
        "handling",
        _assist_returned,
        check=_required("请写明退回理由（如：不属于本单位职责）"),
        after=_tell_assist_return,
        tells_flow="approve",
    ),
    ("read", "approve"): Move("handling", "read", "handling", _touched),
    ("check", "approve"): Move("checking", "checked", "checking", _checked, by_round=False),
    ("check", "return"): Move("checking", "returned", "concluding", _to_lead, by_round=False),
    ("conclude", "approve"): Move(
        "concluding", "concluded", "checking", _concluded, check=_required("请填写最终办理结果"), by_round=False
    ),
}
ALLOWED = {step: tuple(d for s, d in MOVES if s == step) for step, _ in MOVES}


FILES_ONLY = "附件只在承办环节随办理结果报送"


def decide(
    task: TaskItem,
    actor: str,
    request: DecisionRequest,
    plan: IncomingPlan | None,
    via: str,
    link: LinkItem | None,
    files: tuple[ResultFile, ...] = (),
) -> DecisionResult:
    """The one driver: the row of ``MOVES`` checked, written in one transaction, then the flow answered."""
    if task.step not in ALLOWED:
        raise InvalidInput(f"收文没有“{task.step}”环节")
    if request.decision not in ALLOWED[task.step]:
        raise InvalidInput(ONLY[task.step])
    if files and (task.step, request.decision) != ("handle", "approve"):
        raise InvalidInput(FILES_ONLY)
    move = MOVES[(move_step(task), request.decision)]
    decided = Decided(task, load_incoming(task.document_id), actor, request, plan, clock.now_iso(), files)
    move.check(decided)
    written = move.write(decided)
    condition = in_round(task, move.status) if move.by_round else IncomingItem.status == move.status
    _commit(decided, via, link, written, condition, move.outcome)
    move.after(decided)
    opinion = request.opinion if written.opinion is None else written.opinion
    heard = move.tells_flow or request.decision
    deliver(task, heard, answer(actor, task.step, request.decision, opinion, **written.extras), flow_name=FLOW)
    return result(task, request.decision, move.answers)


def _commit(d: Decided, via: str, link: LinkItem | None, written: Written, condition: Condition, outcome: str) -> None:
    task, item, request, actor = d.task, d.item, d.request, d.actor
    try:
        with TransactWrite(connection=connection()) as tx:
            close_in(tx, task, actor, request.decision, request.opinion, via, d.now, link)
            tx.update(item, actions=written.actions, condition=condition)
            for each in written.saves:
                tx.save(each, condition=ResultFileItem.PK.does_not_exist())
            tx.save(history_item(item.incoming_id, task.step, actor, outcome, request.opinion))
            tx.save(
                audit.audit_item(actor, f"decide:{task.step}", task.task_id, outcome, via, document_id=item.incoming_id)
            )
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise lost() from exc
