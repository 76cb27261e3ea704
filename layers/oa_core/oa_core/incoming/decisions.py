"""收文's decisions, once each, through ``/api/tasks/{id}/decision`` like every human step: 签收 and
登记 here, 拟办 → 办结 in incoming.handling, 延期 in incoming.extensions.

签收: 同意 (approve) signs for the 收文; 不同意 (reject, with a reason) is 拒收 and ends its flow. 登记:
同意 with the registration's fields takes the 收文编号 ``收〔year〕n号`` (again after 拟办's 退回: the fields
corrected, the number kept), gap-free per year: the counter
(``COUNTER#收#<year>``), the 收文 (no number yet, still awaiting 登记) and the task (still pending, still
this 文书's) change in one transaction conditional on the counter value read, as 发文's 编号 does. A
lost counter race reads again and retries; a lost task race is 409. Only then is the flow answered.
"""

from __future__ import annotations

import random
import time
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.incoming import extensions, handling
from oa_core.incoming.answers import answer, lost, result
from oa_core.incoming.flow import FLOW
from oa_core.incoming.models import IncomingPlan, IncomingRegistration, ResultFile
from oa_core.incoming.steps import STEPS
from oa_core.incoming.storage import IncomingItem, load_incoming, status_actions
from oa_core.platform import audit, clock
from oa_core.platform.errors import InvalidInput, TransientError
from oa_core.platform.storage import connection, counter_value, lost_on_condition, move_counter
from oa_core.workflow.decisions import close_in, deliver, ensure_pending
from oa_core.workflow.models import DecisionRequest, DecisionResult
from oa_core.workflow.storage import LinkItem, TaskItem
from oa_core.workflow.tasks import history_item, load_task

NUMBER_ATTEMPTS = 8
NUMBER_PREFIX = "收"


def format_number(year: int, seq: int) -> str:
    """收文编号: 收〔2026〕7号."""
    return f"{NUMBER_PREFIX}〔{year}〕{seq}号"


def decide(
    task: TaskItem,
    actor: str,
    request: DecisionRequest,
    registration: IncomingRegistration | None = None,
    *,
    plan: IncomingPlan | None = None,
    via: str = "api",
    link: LinkItem | None = None,
    files: tuple[ResultFile, ...] = (),
) -> DecisionResult:
    """``files``: 承办's 办理结果 附件, checked and stored already (worklist.results)."""
    ensure_pending(task, actor)
    if files and task.step != "handle":
        raise InvalidInput(handling.FILES_ONLY)
    if registration is not None and task.step != "register":
        raise InvalidInput("登记信息只用于收文的登记环节")
    if plan is not None and task.step not in ("propose", "instruct"):
        raise InvalidInput("拟办方案只用于拟办和批办环节")
    if task.step == "receive":
        return _receive(task, actor, request, via, link)
    if task.step == "register":
        return _register(task, actor, request, registration or IncomingRegistration(), via, link)
    if task.step == "extend":
        return extensions.decide(task, actor, request, via, link)
    return handling.decide(task, actor, request, plan, via, link, files)


def _receive(task: TaskItem, actor: str, request: DecisionRequest, via: str, link: LinkItem | None) -> DecisionResult:
    """签收 (approve) or 拒收 (reject, with the reason in the opinion)."""
    if request.decision == "return":
        raise InvalidInput("签收环节只能签收或拒收")
    item = load_incoming(task.document_id)
    now = clock.now_iso()
    status = "registering" if request.decision == "approve" else "refused"
    outcome = "received" if request.decision == "approve" else "refused"
    try:
        with TransactWrite(connection=connection()) as tx:
            close_in(tx, task, actor, request.decision, request.opinion, via, now, link)
            tx.update(
                item,
                actions=[
                    *status_actions(item, status, "register" if status == "registering" else "receive", now),
                    IncomingItem.received_by.set(actor),
                    IncomingItem.received_by_at.set(now),
                ],
                condition=IncomingItem.status == "receiving",
            )
            tx.save(history_item(item.incoming_id, "receive", actor, outcome, request.opinion))
            tx.save(audit.audit_item(actor, "decide:receive", task.task_id, outcome, via, document_id=item.incoming_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise lost() from exc
    deliver(task, request.decision, answer(actor, "receive", request.decision, request.opinion), flow_name=FLOW)
    return result(task, request.decision, status)


def _registration_actions(item: IncomingItem, fields: IncomingRegistration) -> list[Any]:
    chosen = fields.model_dump(exclude_none=True)
    attributes: dict[str, Any] = {
        "sender": IncomingItem.sender,
        "sender_number": IncomingItem.sender_number,
        "title": IncomingItem.title,
        "urgency": IncomingItem.urgency,
        "classification": IncomingItem.classification,
        "copies": IncomingItem.copies,
        "deadline": IncomingItem.deadline,
    }
    return [attributes[name].set(value) for name, value in chosen.items()]


def _deadline_after_arrival(item: IncomingItem, fields: IncomingRegistration) -> None:
    """办理时限 not before the 收文日期 (as 文书登记 refuses it): checked before any number is taken."""
    if not fields.deadline:
        return
    arrived = clock.parse(item.received_at).astimezone(clock.local_zone()).date().isoformat()
    if fields.deadline < arrived:
        raise InvalidInput(f"办理时限不能早于收文日期（{arrived}）")


def _register(
    task: TaskItem,
    actor: str,
    request: DecisionRequest,
    fields: IncomingRegistration,
    via: str,
    link: LinkItem | None,
) -> DecisionResult:
    """登记: the registration's fields and the next 收文编号 of the year, in one transaction."""
    if request.decision != "approve":
        raise InvalidInput("登记环节请核对来文信息后点“登记”（同意）；如需拒收，请在签收环节办理")
    item = load_incoming(task.document_id)
    _deadline_after_arrival(item, fields)
    if item.number:
        return _register_again(task, item, actor, request, fields, via, link)
    year = clock.now().year
    counter_key = (f"COUNTER#{NUMBER_PREFIX}#{year}", "COUNTER")
    for attempt in range(NUMBER_ATTEMPTS):
        current = counter_value(counter_key)
        seq, now = current + 1, clock.now_iso()
        number = format_number(year, seq)
        try:
            with TransactWrite(connection=connection()) as tx:
                move_counter(tx, counter_key, current, seq)
                close_in(tx, task, actor, "approve", request.opinion, via, now, link)
                tx.update(
                    item,
                    actions=[
                        *status_actions(item, "registered", "propose", now),
                        *_registration_actions(item, fields),
                        IncomingItem.number.set(number),
                        IncomingItem.number_seq.set(seq),
                        IncomingItem.registered_by.set(actor),
                        IncomingItem.registered_at.set(now),
                    ],
                    condition=IncomingItem.number.does_not_exist() & (IncomingItem.status == "registering"),
                )
                tx.save(history_item(item.incoming_id, "register", actor, "registered", number))
                tx.save(
                    audit.audit_item(actor, "decide:register", task.task_id, "ok", number, document_id=item.incoming_id)
                )
        except TransactWriteError as exc:
            if not lost_on_condition(exc):
                raise
            if load_task(task.task_id).status != "pending" or load_incoming(item.incoming_id).number:
                raise lost() from exc
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # noqa: S311 - jitter, not crypto
            continue
        deliver(task, "approve", answer(actor, "register", "approve", request.opinion, number=number), flow_name=FLOW)
        return result(task, "approve", "registered")
    raise TransientError("登记时并发冲突过多，请稍后再试")


def _register_again(
    task: TaskItem,
    item: IncomingItem,
    actor: str,
    request: DecisionRequest,
    fields: IncomingRegistration,
    via: str,
    link: LinkItem | None,
) -> DecisionResult:
    """登记 after 拟办's 退回: the corrected fields, the 收文编号 it already has (no number is taken twice)."""
    now, number = clock.now_iso(), str(item.number)
    try:
        with TransactWrite(connection=connection()) as tx:
            close_in(tx, task, actor, "approve", request.opinion, via, now, link)
            tx.update(
                item,
                actions=[
                    *status_actions(item, "registered", "propose", now),
                    *_registration_actions(item, fields),
                    IncomingItem.registered_by.set(actor),
                    IncomingItem.registered_at.set(now),
                ],
                condition=(IncomingItem.number == number) & (IncomingItem.status == "registering"),
            )
            tx.save(history_item(item.incoming_id, "register", actor, "registered", number))
            tx.save(
                audit.audit_item(actor, "decide:register", task.task_id, "ok", number, document_id=item.incoming_id)
            )
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise lost() from exc
    deliver(task, "approve", answer(actor, "register", "approve", request.opinion, number=number), flow_name=FLOW)
    return result(task, "approve", "registered")


__all__ = ["STEPS", "decide", "format_number"]
