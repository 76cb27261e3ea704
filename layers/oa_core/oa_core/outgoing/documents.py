"""发文: drafting a document and reading it back, with access control."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.outgoing import attachments, duties, flow
from oa_core.outgoing.diffing import make_version
from oa_core.outgoing.doctypes import word_count
from oa_core.outgoing.models import (
    FORMAT_FIELDS,
    CountersignState,
    DeliveryView,
    DocumentCreated,
    DocumentView,
    DraftSubmission,
    VersionAttachment,
    VersionView,
)
from oa_core.outgoing.names import concluded_words
from oa_core.outgoing.storage import AttachmentsItem, DeliveryItem, DocumentItem, VersionItem, load_document
from oa_core.platform import audit, clock, metrics
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput
from oa_core.platform.storage import RecordItem, connection, doc_pk, strs
from oa_core.workflow.models import HistoryEntry
from oa_core.workflow.storage import HistoryItem, TaskItem
from oa_core.workflow.tasks import history_item


def new_document_id() -> str:
    return f"{clock.now():%Y%m%d}-{secrets.token_hex(5)}"


def _require_role(user_id: str, role: str, users: dict[str, dict[str, Any]], label: str) -> None:
    user = users.get(user_id)
    if user is None:
        raise InvalidInput(f"{label} {user_id} 不在组织机构中 (unknown user)")
    if role not in user["roles"]:
        raise InvalidInput(f"{label} {user['name']}（{user_id}）没有{directory.ROLE_NAMES[role]}权限")


def ensure_reachable(recipients: list[str], department_ids: set[str]) -> None:
    """分发范围: each entry a department of ours or a registered 外部单位 (by id or name), else 422 with
    the units one may choose. Through the 政务协同平台 (DeliveryChannel webhook), which routes by the
    unit's name, any name is accepted; email needs the unit's registered mailbox."""
    if settings().delivery_channel == "webhook":
        return
    units = directory.list_external_units()
    known = {unit["unit_id"] for unit in units} | {unit["name"] for unit in units}
    unknown = [entry for entry in recipients if entry not in department_ids and entry not in known]
    if unknown:
        names = "、".join(unit["name"] for unit in units) or "（尚未登记外部单位，请联系系统管理员）"
        raise InvalidInput(
            f"分发范围中的「{'」「'.join(unknown)}」既不是本单位的处室，也不是已登记的外部单位，无法送达。"
            f"可选的外部单位：{names}",
            code="unknown_recipient",
        )


def submit_draft(
    submission: DraftSubmission,
    drafter: dict[str, Any],
    base_url: str,
    *,
    reply_to: tuple[str, str] | None = None,
    also: Callable[[TransactWrite], None] | None = None,
) -> DocumentCreated:
    """拟稿 → 送核稿: check the people, store version 1 and start the flow.

    ``reply_to`` (收文 id, 来文字号) makes it a reply to a 收文; ``also`` adds the caller's own writes (the
    收文's list of replies) to the submission's transaction."""
    if "drafter" not in drafter["roles"]:
        raise Forbidden("您没有拟稿权限 (you are not a drafter)")
    people = [submission.reviewer, submission.signer, *submission.countersigners]
    users = directory.get_users(people)
    _require_role(submission.reviewer, "reviewer", users, "核稿人")
    _require_role(submission.signer, "signer", users, "签发人")
    for person in submission.countersigners:
        _require_role(person, "countersigner", users, "会签人")
    duties.ensure_separated(
        drafter["user_id"],
        submission.reviewer,
        submission.countersigners,
        submission.signer,
        {**users, drafter["user_id"]: drafter},
    )

    departments = {d["name"]: d["department_id"] for d in directory.list_departments()}
    distribute_to = [departments.get(entry, entry) for entry in submission.distribute_to]
    ensure_reachable(distribute_to, set(departments.values()))

    document_id = submission.document_id or new_document_id()
    held = _gathered_attachments(document_id, drafter["user_id"])
    entries = list(held.entries or []) if held is not None else []
    now = clock.now_iso()
    content = submission.model_dump(include={"title", "body", "main_recipients", "cc", "urgency", *FORMAT_FIELDS})
    doc = DocumentItem(
        doc_pk(document_id),
        "META",
        document_id=document_id,
        doc_type=submission.doc_type,
        classification=submission.classification or "非密",
        attachment_note=attachments.note_for([str(e.title) for e in entries])
        if entries
        else submission.attachment_note,
        attachments=entries,
        drafter=drafter["user_id"],
        drafter_department=drafter["department"],
        reviewer=submission.reviewer,
        countersigners=submission.countersigners,
        countersign_mode=submission.countersign_mode,
        signer=submission.signer,
        distribute_to=list(dict.fromkeys(distribute_to)),
        status="in_review",
        current_step="review",
        version=1,
        round=1,
        word_count=word_count(submission.title, submission.body),
        created_at=now,
        updated_at=now,
        base_url=base_url,
        in_reply_to=reply_to[0] if reply_to else "",
        reply_to_number=reply_to[1] if reply_to else "",
        GSI1PK=f"DRAFTER#{drafter['user_id']}",
        GSI1SK=now,
        GSI2PK="STATUS#in_review",
        GSI2SK=now,
        **content,
    )
    version = make_version(doc, {}, drafter["user_id"], "拟稿", 1)
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(doc, condition=RecordItem.PK.does_not_exist())
            if held is not None:  # the attachments as read: an upload finishing meanwhile fails the submission
                tx.condition_check(
                    AttachmentsItem, doc_pk(document_id), "ATTACHMENTS", condition=AttachmentsItem.rev == held.rev
                )
            tx.save(version)
            if also is not None:
                also(tx)
            tx.save(history_item(document_id, "draft", drafter["user_id"], "submit"))
            tx.save(
                audit.audit_item(
                    drafter["user_id"],
                    "submit",
                    document_id,
                    "ok",
                    submission.doc_type,
                    document_id=document_id,
                )
            )
    except TransactWriteError as exc:
        if submission.document_id:
            raise Conflict("这份草稿已提交，或它的附件刚刚有变动；请刷新后再试。") from exc
        raise Conflict("文件编号冲突，请重试 (id collision, retry)") from exc
    flow.start(document_id)
    metrics.count("DocumentsSubmitted", doc_type=submission.doc_type)
    return DocumentCreated(document_id=document_id, status="in_review")


def _gathered_attachments(document_id: str, drafter: str) -> AttachmentsItem | None:
    """附件 uploaded while drafting, under the id the draft reserved (refused if another drafter's)."""
    try:
        held = AttachmentsItem.get(doc_pk(document_id), "ATTACHMENTS", consistent_read=True)
    except AttachmentsItem.DoesNotExist:
        return None
    if held.owner != drafter:
        raise Forbidden("这不是您的草稿，不能提交。")
    return held


def _can_read(doc: DocumentItem, user: dict[str, Any], tasks: list[TaskItem]) -> bool:
    if doc.drafter == user["user_id"] or directory.reads_every_department(user):
        return True
    if directory.is_department_clerk(user, doc.drafter_department):
        return True
    if user["user_id"] in {doc.reviewer, doc.signer, *doc.countersigners}:
        return True
    if any(task.assignee == user["user_id"] for task in tasks):
        return True
    received = doc.status in ("distributing", "archived") and user["department"] in (doc.distribute_to or [])
    return bool(received)


def _readable_partition(document_id: str, user: dict[str, Any]) -> tuple[DocumentItem, list[RecordItem]]:
    """The document's partition (one Query), if this user may read the document; a refusal is audited."""
    items = list(RecordItem.query(doc_pk(document_id), consistent_read=True))
    doc = next((item for item in items if isinstance(item, DocumentItem)), None)
    if doc is None:
        doc = load_document(document_id)  # raises NotFound with the message
    if not _can_read(doc, user, [item for item in items if isinstance(item, TaskItem)]):
        audit.record(user["user_id"], "view", document_id, "denied", document_id=document_id)
        raise Forbidden("您无权查看该文件 (you may not read this document)")
    return doc, items


def readable(document_id: str, user: dict[str, Any]) -> DocumentItem:
    """The document, for a user who may read it (the access rule of ``view``, without building the view)."""
    return _readable_partition(document_id, user)[0]


def view(document_id: str, user: dict[str, Any]) -> DocumentView:
    """The whole document in one Query of its partition: metadata, versions, opinions, tasks."""
    doc, items = _readable_partition(document_id, user)
    versions = [item for item in items if isinstance(item, VersionItem)]
    history = [item for item in items if isinstance(item, HistoryItem)]
    tasks = [item for item in items if isinstance(item, TaskItem)]
    deliveries = [item for item in items if isinstance(item, DeliveryItem)]
    if doc.status == "archived":
        # 查阅 of an archived document is audited like a download (who, what, when).
        audit.record(user["user_id"], "view_archived", document_id, "ok", document_id=document_id)
    names = directory.get_users([h.actor for h in history] + strs(doc.countersigners))
    return DocumentView(
        document_id=doc.document_id,
        in_reply_to=doc.in_reply_to or "",
        reply_to_number=doc.reply_to_number or "",
        status=doc.status,
        current_step=doc.current_step,
        number=doc.number,
        pending=[t.assignee for t in tasks if t.status == "pending"],
        history=[
            HistoryEntry(
                step=h.step,
                actor=h.actor,
                actor_name=directory.display_name(h.actor, names),
                decision=h.decision,
                opinion=h.opinion,
                at=h.at,
                annotations=[{"quote": str(a["quote"]), "note": str(a["note"])} for a in h.annotations or []],
            )
            for h in history
        ],
        versions=[
            VersionView(
                version=int(v.version),
                author=v.author,
                at=v.at,
                reason=v.reason,
                title=v.title,
                body=v.body,
                main_recipients=strs(v.main_recipients),
                cc=strs(v.cc),
                urgency=v.urgency,
                diff=v.diff,
                word_count=int(v.word_count),
                attachments=[
                    VersionAttachment(
                        no=int(a.no), title=a.title, filename=a.filename, size=int(a.size), sha256=a.sha256
                    )
                    for a in v.attachments or []
                ],
            )
            for v in versions
        ],
        doc_type=doc.doc_type,
        title=doc.title,
        body=doc.body,
        main_recipients=strs(doc.main_recipients),
        cc=strs(doc.cc),
        urgency=doc.urgency,
        classification=doc.classification,
        drafter=doc.drafter,
        drafter_department=doc.drafter_department,
        reviewer=doc.reviewer,
        countersigners=strs(doc.countersigners),
        countersign_mode=doc.countersign_mode,
        countersign=countersign_states(doc, tasks, names),
        signer=doc.signer,
        distribute_to=strs(doc.distribute_to),
        deliveries=[
            DeliveryView(
                recipient=d.recipient,
                channel=d.channel,  # type: ignore[arg-type]
                status=d.status,
                at=d.at,
                received_by=d.received_by or "",
                received_at=d.received_at or "",
                attempts=int(d.attempts or 0),
                last_error=d.last_error or "",
                next_attempt_at=d.next_attempt_at or "",
                receipt=d.receipt or "",
                via=d.via or "",
                concluded_number=d.concluded_number or "",
                concluded_at=d.concluded_at or "",
                concluded=concluded_words(d.concluded_number or "", d.concluded_at or ""),
            )
            for d in deliveries
        ],
        word_count=int(doc.word_count),
        created_at=doc.created_at,
        attachment_note=doc.attachment_note or "",
        letter_format=doc.letter_format,
        co_issuers=strs(doc.co_issuers),
        sealed=doc.sealed is not False,
        remarks=doc.remarks or "",
        signer_title=doc.signer_title or "",
        attendees=strs(doc.attendees),
        on_leave=strs(doc.on_leave),
        observers=strs(doc.observers),
        attachments=attachments.view(
            doc.document_id, next((item for item in items if isinstance(item, AttachmentsItem)), None)
        ),
        sign_date=doc.sign_date,
        archive_key=doc.archive_key,
        pdf_sha256=doc.pdf_sha256,
        ofd_sha256=doc.ofd_sha256,
        failed_step=doc.failed_step,
        failure_reason=doc.failure_reason,
    )


def countersign_states(
    doc: DocumentItem, tasks: list[TaskItem], names: dict[str, dict[str, Any]]
) -> list[CountersignState]:
    """会签进度: each countersigner's state in the current round."""
    current = {t.assignee: t for t in tasks if t.step == "countersign" and int(t.round) == int(doc.round)}
    states = []
    for person in strs(doc.countersigners):
        task = current.get(person)
        state: Any = "waiting"
        if task is not None:
            state = {
                "pending": "pending",
                "cancelled": "cancelled",
                "decided": {"approve": "approved", "return": "returned", "reject": "rejected"}.get(
                    task.decision or "", "approved"
                ),
            }[task.status]
        states.append(
            CountersignState(
                user_id=person,
                name=directory.display_name(person, names),
                state=state,
                opinion=(task.opinion or "") if task else "",
                at=(task.decided_at or "") if task else "",
            )
        )
    return states
