"""发文's decisions: 同意 (approve), 退回修改 (return), 不同意 (reject) on 核稿, 会签 and 签发, and 修改稿 (revise).

Each is one transaction: the task closed on workflow's conditions (still pending, still this
person's; through a link, the link unused and unexpired), the reviewer's edits as a new version, the
opinion (意见) and the audit record. Only then is DocumentFlow answered (workflow.decisions.deliver).
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.outgoing import duties
from oa_core.outgoing.diffing import make_version
from oa_core.outgoing.flow import FLOW
from oa_core.outgoing.models import DocumentDecision, RevisionRequest
from oa_core.outgoing.storage import DocumentItem, load_document
from oa_core.platform import audit, clock, metrics
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput
from oa_core.platform.storage import RecordItem, connection, lost_on_condition, refused_parts, strs
from oa_core.workflow.decisions import close_in, decided_actions, deliver, ensure_pending
from oa_core.workflow.models import DecisionResult
from oa_core.workflow.storage import LinkItem, TaskItem
from oa_core.workflow.tasks import history_item, history_of, open_tasks


def decide(
    task: TaskItem,
    actor: str,
    request: DocumentDecision,
    *,
    via: str = "api",
    link: LinkItem | None = None,
) -> DecisionResult:
    """Decide a pending 发文 task once (the caller has checked that actor is the assignee)."""
    if task.step == "revise":
        raise InvalidInput("修改稿请通过“提交修改稿”提交 (submit a revision instead)")
    ensure_pending(task, actor)
    doc = load_document(task.document_id)
    decided = [h.step for h in history_of(doc.document_id) if h.actor == actor]
    duties.ensure_may_decide(doc.drafter, actor, task.step, decided)
    if request.edits is not None and task.step != "review":
        raise InvalidInput("只有核稿时可以修改文稿 (only the reviewer may edit the text)")

    now = clock.now_iso()
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
            close_in(tx, task, actor, request.decision, request.opinion, via, now, link)
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
                    task.task_id,
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
            task.task_id,
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
        flow_name=FLOW,
    )
    return DecisionResult(
        task_id=task.task_id,
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
    countersigners = strs(doc.countersigners)
    people = directory.get_users([doc.drafter, doc.reviewer, doc.signer, *countersigners])
    duties.ensure_separated(doc.drafter, doc.reviewer, countersigners, doc.signer, people)
    changes = request.model_dump(exclude_none=True, exclude={"note"})
    if doc.doc_type == "请示" and len(changes.get("main_recipients", doc.main_recipients)) != 1:
        raise InvalidInput("请示应当一文一事，只能有一个主送机关")
    now = clock.now_iso()
    version = make_version(doc, changes, actor, "退回后修改", int(doc.version) + 1)
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                task,
                actions=decided_actions(task, "revise", request.note, "api", now),
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
    deliver(task, "revise", {"step": "revise", "actor": actor, "version": version.version}, flow_name=FLOW)
    return DecisionResult(
        task_id=task.task_id,
        document_id=document_id,
        step="revise",
        decision="revise",
        status="decided",
    )
