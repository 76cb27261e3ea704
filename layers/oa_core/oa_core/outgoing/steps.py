"""The automated steps of the 发文 flow: submit, resume, reject, fail, 编号, 分发, 归档."""

from __future__ import annotations

import json
import random
import time
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.outgoing import delivery, notify
from oa_core.outgoing.storage import (
    DeliveryItem,
    DocumentItem,
    InboxItem,
    document_status_actions,
    finished_entries,
    load_document,
)
from oa_core.platform import audit, clock, metrics
from oa_core.platform.errors import InvalidInput, TransientError
from oa_core.platform.storage import connection, counter_value, doc_pk, lost_on_condition, move_counter, strs
from oa_core.workflow.tasks import cancel_open_tasks, history_item, history_of

RESUME_STATUS = {
    "revise": "returned",
    "review": "in_review",
    "countersign": "countersigning",
    "sign": "signing",
    "number": "numbering",
    "typeset": "numbering",
    "distribute": "distributing",
    "archive": "distributing",
}
"""Where a failed document can be resumed, and the status it resumes with."""
NUMBER_ATTEMPTS = 60


def _set_status(doc: DocumentItem, status: str, step: str, *extra: Any) -> None:
    now = clock.now_iso()
    doc.update(actions=[*document_status_actions(status, step, now), *extra])


def route(document_id: str) -> dict[str, Any]:
    """What the state machine needs to route the document: its countersigners and their mode."""
    doc = load_document(document_id)
    countersigners = strs(doc.countersigners)
    mode = doc.countersign_mode if countersigners else "none"
    return {"countersigners": countersigners, "countersign_route": mode}


def resume(document_id: str, resume_at: str) -> dict[str, Any]:
    """重新执行: continue a failed document from the step where it failed."""
    if resume_at not in RESUME_STATUS:
        raise InvalidInput(f"不能从步骤 {resume_at} 继续")
    doc = load_document(document_id)
    _set_status(
        doc,
        RESUME_STATUS[resume_at],
        resume_at,
        DocumentItem.failed_step.remove(),
        DocumentItem.failure_reason.remove(),
    )
    audit.record("system", "resume", document_id, "ok", resume_at, document_id=document_id)
    return {**route(document_id), "resume_at": resume_at}


def mark_rejected(document_id: str) -> dict[str, Any]:
    """不同意: the flow ends; the drafter is told with the decider's opinion (from the record, not the event)."""
    doc = load_document(document_id)
    cancel_open_tasks(document_id, "rejected")
    _set_status(doc, "rejected", doc.current_step)
    history = history_of(document_id)
    # 办结 for the drafter and each decider; keyed per person, so a retried step puts the same entries.
    for entry in finished_entries(doc, "rejected", doc.updated_at, [h.actor for h in history]):
        entry.save()
    rejection = next((h for h in reversed(history) if h.decision == "reject"), None)
    actor = rejection.actor if rejection else "system"
    audit.record(actor, "reject", document_id, "rejected", document_id=document_id)
    drafter = directory.get_user(doc.drafter)
    if drafter:
        opinion = f"{rejection.opinion}（{actor}）" if rejection else ""
        notify.flow_outcome(doc, drafter, "rejected", opinion)
    return {"status": "rejected"}


TIMED_OUT = "办理超时"
"""What a human step that nobody decided within HumanTaskTimeoutHours is called."""
TIMEOUT_ERRORS = ("States.Timeout", "Document.TimedOut")
"""A task's own timeout, and the name a countersign Map item's timeout ends its iteration with (a
Fail state inside the Map: a States.* name cannot be raised there, and moto cannot pass one on)."""


def failure_reason(error: dict[str, Any]) -> str:
    """What people read about a failed step: 办理超时 for a timeout, else the error and its cause."""
    name = str(error.get("Error", "Error"))
    if name in TIMEOUT_ERRORS:
        return f"{TIMED_OUT}：超过办理时限无人处理，流程已停止，文书可“继续处理” ({name})"
    cause = str(error.get("Cause", ""))
    try:
        message = json.loads(cause).get("errorMessage")
    except (ValueError, AttributeError):
        message = None
    return f"{name}: {message if isinstance(message, str) else cause[:500]}"


def mark_failed(document_id: str, step: str, error: dict[str, Any]) -> dict[str, Any]:
    """A step failed for good, or timed out: keep everything, mark the document failed at that step,
    close its open tasks, tell the drafter. Failed first, then closed: a task a late invocation opens
    meanwhile is either closed here or refused by open_task (the document has ended)."""
    doc = load_document(document_id)
    reason = failure_reason(error)
    timed_out = reason.startswith(TIMED_OUT)
    _set_status(
        doc,
        "failed",
        step,
        DocumentItem.failed_step.set(step),
        DocumentItem.failure_reason.set(reason),
    )
    cancel_open_tasks(document_id, f"{TIMED_OUT} at {step}" if timed_out else f"failed at {step}")
    history_item(document_id, step, "system", "timed_out" if timed_out else "failed", reason[:200]).save()
    metrics.count("StepTimeouts" if timed_out else "StepFailures", step=step)
    audit.record(
        "system", f"step:{step}", document_id, "timed_out" if timed_out else "failed", reason, document_id=document_id
    )
    drafter = directory.get_user(doc.drafter)
    if drafter:
        detail = "超过办理时限无人处理，文书或管理员可以继续处理" if timed_out else "处理失败，管理员已收到记录"
        notify.flow_outcome(doc, drafter, "failed", f"在“{step}”步骤{detail}。")
    return {"status": "failed", "failed_step": step}


def format_number(issuer_code: str, year: int, seq: int) -> str:
    """发文字号: 机关代字 + 〔year〕 + sequence + 号, year in full and no leading zeros."""
    return f"{issuer_code}〔{year}〕{seq}号"


def assign_number(document_id: str) -> dict[str, Any]:
    """编号: take the next number of this 机关代字 and year, gap-free, unique, idempotent.

    The counter and the document change in one transaction, conditional on the counter still
    holding the value this attempt saw and on the document having no number yet. A lost race
    retries with the new counter value; a retried step finds its number already on the document.
    """
    doc = load_document(document_id)
    if doc.status != "numbering":
        _set_status(doc, "numbering", "number")
    if doc.number:
        _seal(document_id)
        return {"number": doc.number}
    from oa_core.outgoing.numbering import issuer_code_for

    issuer = issuer_code_for(doc.doc_type, doc.drafter_department)
    year = clock.parse(doc.sign_date).year if doc.sign_date else clock.now().year
    counter_key = (f"COUNTER#{issuer}#{year}", "COUNTER")
    for attempt in range(NUMBER_ATTEMPTS):
        current = counter_value(counter_key)
        seq = current + 1
        number = format_number(issuer, year, seq)
        try:
            with TransactWrite(connection=connection()) as tx:
                move_counter(tx, counter_key, current, seq)
                tx.update(
                    doc,
                    actions=[DocumentItem.number.set(number), DocumentItem.number_seq.set(seq)],
                    condition=DocumentItem.number.does_not_exist(),
                )
                tx.save(history_item(document_id, "number", "system", "numbered", number))
                tx.save(audit.audit_item("system", "number", document_id, "ok", number, document_id=document_id))
            _seal(document_id)
            return {"number": number}
        except TransactWriteError as exc:
            if not lost_on_condition(exc):
                raise
            # Either the counter moved (another document took this number) or this document was
            # numbered meanwhile by a duplicate invocation; the record says which.
            numbered = load_document(document_id).number
            if numbered:
                _seal(document_id)
                return {"number": numbered}
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # noqa: S311 - jitter, not crypto
    raise TransientError("编号时并发冲突过多，稍后自动重试 (too many concurrent numberings)")


def _seal(document_id: str) -> None:
    """电子签章 of the numbered document (idempotent; see sealing.py)."""
    from oa_core.outgoing import sealing

    sealing.apply(load_document(document_id))


def distribute(document_id: str) -> dict[str, Any]:
    """分发: an inbox entry and an email for each internal department; a delivery flow for each external unit."""
    doc = load_document(document_id)
    _set_status(doc, "distributing", "distribute")
    departments = {d["department_id"]: d["name"] for d in directory.list_departments()}
    at = doc.sign_date or clock.now_iso()
    internal, external = [], []
    for recipient in strs(doc.distribute_to):
        internal_recipient = recipient in departments
        # Deterministic keys: a retried step rewrites the same items instead of adding new ones.
        item = DeliveryItem(
            doc_pk(document_id),
            f"DELIVERY#{recipient}",
            document_id=document_id,
            recipient=recipient,
            channel="internal" if internal_recipient else "external",
            status="delivered" if internal_recipient else "queued",
            at=clock.now_iso(),
            inbox_sk=f"{at}#{document_id}" if internal_recipient else "",
        )
        if not internal_recipient:
            # 对外发送 (delivery.py): its own flow per recipient; a retried step neither resets a
            # delivery under way nor starts a second one (the execution is named after both).
            try:
                item.save(condition=DeliveryItem.SK.does_not_exist())
            except PutError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
            delivery.start(document_id, recipient)
            external.append(recipient)
            continue
        item.save()
        internal.append(recipient)
        InboxItem(
            f"INBOX#{recipient}",
            f"{at}#{document_id}",
            document_id=document_id,
            number=doc.number or "",
            title=doc.title,
            department=recipient,
            at=at,
        ).save()
        notify.distributed(doc, directory.department_members(recipient), departments[recipient])
    names = "、".join(departments.get(recipient, recipient) for recipient in strs(doc.distribute_to))
    history_item(document_id, "distribute", "system", "distributed", names).save()
    audit.record(
        "system",
        "distribute",
        document_id,
        "ok",
        f"internal={internal} external={external}",
        document_id=document_id,
    )
    return {"internal": internal, "external": external}
