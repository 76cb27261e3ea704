"""The records table (single-table design) as pynamodb models.

Every item has PK/SK and a `kind` discriminator, so one Query over a document's partition
returns its metadata, versions, opinions, tasks, deliveries and audit trail as typed objects.

item        PK                       SK                      sparse index keys
document    DOC#<id>                 META                    GSI1 DRAFTER#<user>; GSI2 STATUS#<status>
version     DOC#<id>                 VER#<0001>
history     DOC#<id>                 HIST#<at>#<rand>
task        DOC#<id>                 TASK#<task_id>          GSI1 ASSIGNEE#<user>; GSI2 OPEN#<step> (by due time)
delivery    DOC#<id>                 DELIVERY#<recipient>
audit       DOC#<id> | AUDIT#<day>   AUDIT#<at>#<rand>
link        LINK#<sha256(link id)>   LINK
counter     COUNTER#<代字>#<year>    COUNTER
inbox       INBOX#<department>       <at>#<document id>
archive     ARCHIVE#<year>           <signed>#<doc id>       GSI1 ARCHIVE#<doc_type>
user        ORG                      USER#<user id>          GSI1 DEPT#<department>
department  ORG                      DEPT#<department id>
session     SESSION#<sha256(cookie)> SESSION
draft       USER#<user id>           DRAFT#<draft id>
meeting     MTG#<meeting id>         META                    GSI1 ORGANIZER#<user> by start
(task)      MTG#<meeting id>         TASK#<task_id>          the approval of a meeting, a task like any other
attendee    ATTENDEE#<user id>       <start>#<meeting id>
dispatch    DISPATCH#<dispatch id>   META                    GSI1 REQUESTER#<user>; GSI2 DISPATCH#<status>
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pynamodb.attributes import (
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from oa_core.config import settings


class Gsi1(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class RecordItem(Model):
    """Any item of the records table."""

    class Meta:
        table_name = settings().records_table
        region = settings().region

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()


class DocumentItem(RecordItem, discriminator="document"):
    """发文: an outgoing document's current state."""

    document_id = UnicodeAttribute()
    doc_type = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    main_recipients = ListAttribute(of=UnicodeAttribute, default=list)
    cc = ListAttribute(of=UnicodeAttribute, default=list)
    urgency = UnicodeAttribute(default="")
    classification = UnicodeAttribute(default="")
    attachment_note = UnicodeAttribute(default="")
    seal_digest = UnicodeAttribute(null=True)
    """电子签章: SHA-256 (hex) of the canonical content signed after 编号 (seal.py)."""
    seal_signature = UnicodeAttribute(null=True)
    seal_key = UnicodeAttribute(null=True)
    sealed_at = UnicodeAttribute(null=True)
    pdf_key = UnicodeAttribute(null=True)
    """印制: the sealed GB/T 9704 PDF in the archive bucket (printing.py), with its SHA-256."""
    pdf_sha256 = UnicodeAttribute(null=True)
    pdf_version = UnicodeAttribute(null=True)
    """The S3 object version of the PDF (the bucket is versioned): readers get exactly that one."""
    printed_at = UnicodeAttribute(null=True)
    archive_code = UnicodeAttribute(null=True)
    """档号 (DA/T 22), with item_no (件号) and retention (保管期限): filing.py."""
    item_no = NumberAttribute(null=True)
    retention = UnicodeAttribute(null=True)
    drafter = UnicodeAttribute()
    drafter_department = UnicodeAttribute(default="")
    reviewer = UnicodeAttribute()
    countersigners = ListAttribute(of=UnicodeAttribute, default=list)
    countersign_mode = UnicodeAttribute(default="parallel")
    signer = UnicodeAttribute()
    distribute_to = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    current_step = UnicodeAttribute()
    version = NumberAttribute(default=1)
    round = NumberAttribute(default=1)
    """Review round: 1 for the first submission, +1 after each revision."""
    word_count = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    base_url = UnicodeAttribute(default="")
    number = UnicodeAttribute(null=True)
    """发文字号, e.g. 示例办发〔2026〕7号."""
    number_seq = NumberAttribute(null=True)
    sign_date = UnicodeAttribute(null=True)
    """成文日期: the signing date."""
    signed_by = UnicodeAttribute(null=True)
    archive_key = UnicodeAttribute(null=True)
    archive_sha256 = UnicodeAttribute(null=True)
    archived_at = UnicodeAttribute(null=True)
    failed_step = UnicodeAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)
    execution_arn = UnicodeAttribute(null=True)
    resume_count = NumberAttribute(default=0)


class VersionItem(RecordItem, discriminator="version"):
    """版本: one version of the text; every version is kept."""

    document_id = UnicodeAttribute()
    version = NumberAttribute()
    author = UnicodeAttribute()
    at = UnicodeAttribute()
    reason = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    main_recipients = ListAttribute(of=UnicodeAttribute, default=list)
    cc = ListAttribute(of=UnicodeAttribute, default=list)
    urgency = UnicodeAttribute(default="")
    diff = UnicodeAttribute(default="")
    word_count = NumberAttribute(default=0)


class HistoryItem(RecordItem, discriminator="history"):
    """意见: one step's outcome with who, decision, opinion and time."""

    document_id = UnicodeAttribute()
    step = UnicodeAttribute()
    actor = UnicodeAttribute()
    decision = UnicodeAttribute()
    opinion = UnicodeAttribute(default="")
    at = UnicodeAttribute()
    annotations = ListAttribute(of=MapAttribute, default=list)
    """批注: [{"quote": text the decider marked, "note": the remark}]."""


class TaskItem(RecordItem, discriminator="task"):
    """待办: a human decision a step is waiting for. The task token never leaves this item."""

    task_id = UnicodeAttribute()
    document_id = UnicodeAttribute()
    title = UnicodeAttribute(default="")
    """The document's title when the task was opened, for lists of tasks (one Query, no lookups)."""
    step = UnicodeAttribute()
    assignee = UnicodeAttribute()
    round = NumberAttribute(default=1)
    status = UnicodeAttribute()
    """pending | decided | cancelled"""
    task_token = UnicodeAttribute()
    created_at = UnicodeAttribute()
    due_at = UnicodeAttribute()
    decision = UnicodeAttribute(null=True)
    opinion = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    decided_via = UnicodeAttribute(null=True)
    reminders_sent = NumberAttribute(default=0)
    last_reminded_at = UnicodeAttribute(null=True)
    """催办: when the last overdue reminder was sent (one per period, claimed by a conditional update)."""
    escalated_at = UnicodeAttribute(null=True)
    """When the signer was told this task is long overdue (once per task)."""
    answer_pending = UnicodeAttribute(null=True)
    """Set when a saved decision could not be delivered to Step Functions: what to send again."""


class DeliveryItem(RecordItem, discriminator="delivery"):
    """分发: one recipient of a distributed document."""

    document_id = UnicodeAttribute()
    recipient = UnicodeAttribute()
    channel = UnicodeAttribute()
    status = UnicodeAttribute()
    """Internal: delivered (not yet 签收), received (签收). External (对外发送, delivery.py): queued,
    retrying (an attempt failed, the next one is scheduled), sent (the receiver acknowledged it),
    failed (every attempt failed; the case is in the dead-letter queue)."""
    at = UnicodeAttribute()
    inbox_sk = UnicodeAttribute(default="")
    """The department inbox entry's sort key (internal recipients)."""
    received_by = UnicodeAttribute(default="")
    received_at = UnicodeAttribute(default="")
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(default="")
    next_attempt_at = UnicodeAttribute(default="")
    receipt = UnicodeAttribute(default="")
    """送达回执: the receiver's receipt id (webhook) or the mail's message id."""
    via = UnicodeAttribute(default="")
    """webhook or email (external recipients)."""


class AuditItem(RecordItem, discriminator="audit"):
    """审计: who did what, when, with what outcome."""

    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    outcome = UnicodeAttribute()
    at = UnicodeAttribute()
    detail = UnicodeAttribute(default="")


class LinkItem(RecordItem, discriminator="link"):
    """审批链接: an opaque, expiring, single-use approval link. Only the link id's hash is stored."""

    task_id = UnicodeAttribute()
    document_id = UnicodeAttribute()
    decider = UnicodeAttribute()
    step = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    used_at = UnicodeAttribute(null=True)
    expires_at_epoch = NumberAttribute()
    """DynamoDB TTL: removed well after expiry, so an expired link still says why."""


class CounterItem(RecordItem, discriminator="counter"):
    """发文字号计数器: the last number issued per 机关代字 and year."""

    value = NumberAttribute(default=0)


class InboxItem(RecordItem, discriminator="inbox"):
    """收文: a distributed document in a department's inbox."""

    document_id = UnicodeAttribute()
    number = UnicodeAttribute(default="")
    title = UnicodeAttribute()
    department = UnicodeAttribute()
    at = UnicodeAttribute()
    status = UnicodeAttribute(default="unread")
    """unread until someone of the department confirms receipt (签收): received."""
    received_by = UnicodeAttribute(default="")


class ArchiveIndexItem(RecordItem, discriminator="archive"):
    """归档索引: where a document's archive package is, for retrieval."""

    document_id = UnicodeAttribute()
    number = UnicodeAttribute()
    title = UnicodeAttribute()
    doc_type = UnicodeAttribute()
    department = UnicodeAttribute()
    archived_at = UnicodeAttribute()
    archive_key = UnicodeAttribute()
    sha256 = UnicodeAttribute()
    archive_code = UnicodeAttribute(null=True)
    retention = UnicodeAttribute(null=True)
    report_key = UnicodeAttribute(null=True)
    """The 四性检测 report beside the package."""
    checks_passed = UnicodeAttribute(null=True)


class UserItem(RecordItem, discriminator="user"):
    """用户: a member of the organisation directory."""

    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    department = UnicodeAttribute()
    roles = ListAttribute(of=UnicodeAttribute, default=list)


class DepartmentItem(RecordItem, discriminator="department"):
    """部门: a department (处室) of the unit."""

    department_id = UnicodeAttribute()
    name = UnicodeAttribute()


class ExternalUnitItem(RecordItem, discriminator="external_unit"):
    """外部单位: another unit documents are sent to (对外发送), with its 政务协同平台 code or mailbox."""

    unit_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(default="")
    platform_code = UnicodeAttribute(default="")


class SessionItem(RecordItem, discriminator="session"):
    """登录会话: a signed-in browser. Only the cookie's hash is stored; TTL removes it after expiry."""

    user_id = UnicodeAttribute()
    csrf = UnicodeAttribute()
    created_at = UnicodeAttribute()
    last_seen = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    expires_at_epoch = NumberAttribute()


class DraftItem(RecordItem, discriminator="draft"):
    """草稿: a 拟稿 form saved to be finished and submitted later; the fields as the form had them."""

    draft_id = UnicodeAttribute()
    owner = UnicodeAttribute()
    title = UnicodeAttribute(default="")
    doc_type = UnicodeAttribute(default="")
    fields = UnicodeAttribute()
    """The form's fields as JSON."""
    saved_at = UnicodeAttribute()


class MeetingItem(RecordItem, discriminator="meeting"):
    """会议申请: a meeting in a room, held until approved (or at once confirmed)."""

    meeting_id = UnicodeAttribute()
    topic = UnicodeAttribute()
    organizer = UnicodeAttribute()
    room_id = UnicodeAttribute()
    room_name = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()
    participants = ListAttribute(of=UnicodeAttribute, default=list)
    equipment = ListAttribute(of=UnicodeAttribute, default=list)
    description = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    """pending_approval, confirmed, rejected, expired or cancelled."""
    sequence = NumberAttribute(default=0)
    approver = UnicodeAttribute(default="")
    opinion = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class AttendeeItem(RecordItem, discriminator="attendee"):
    """我的会议: a confirmed meeting in one participant's list."""

    meeting_id = UnicodeAttribute()
    topic = UnicodeAttribute()
    room_name = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()


class DispatchItem(RecordItem, discriminator="dispatch"):
    """用车申请 and its 派车: a vehicle request, then the vehicle and driver assigned to it."""

    dispatch_id = UnicodeAttribute()
    requester = UnicodeAttribute()
    purpose = UnicodeAttribute()
    passengers = NumberAttribute()
    origin = UnicodeAttribute()
    destination = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()
    status = UnicodeAttribute()
    """pending, assigned, rejected or cancelled."""
    vehicle_id = UnicodeAttribute(default="")
    driver_id = UnicodeAttribute(default="")
    booking_ids = ListAttribute(of=UnicodeAttribute, default=list)
    dispatcher = UnicodeAttribute(default="")
    opinion = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def subject_pk(subject_id: str) -> str:
    """The partition of what a task decides: a meeting (ids start with M) or a document."""
    return f"MTG#{subject_id}" if subject_id.startswith("M") else doc_pk(subject_id)


def document_status_actions(status: str, step: str, at: str) -> list[Action]:
    """Set a document's status and current step, keeping its GSI2 status index in step."""
    return [
        DocumentItem.status.set(status),
        DocumentItem.current_step.set(step),
        DocumentItem.updated_at.set(at),
        DocumentItem.GSI2PK.set(f"STATUS#{status}"),
        DocumentItem.GSI2SK.set(at),
    ]


def task_closed_actions(status: str, at: str) -> list[Action]:
    """Close a task (decided or cancelled): it leaves the sparse "my tasks" and "open" indexes."""
    return [
        TaskItem.status.set(status),
        TaskItem.decided_at.set(at),
        TaskItem.GSI1PK.remove(),
        TaskItem.GSI1SK.remove(),
        TaskItem.GSI2PK.remove(),
        TaskItem.GSI2SK.remove(),
    ]


def lost_on_condition(error: TransactWriteError) -> bool:
    """Whether a transaction was refused by one of its conditions (a lost race), not by a fault."""
    return any(
        reason is not None and reason.code == "ConditionalCheckFailed" for reason in error.cancellation_reasons or []
    )


def refused_parts(error: TransactWriteError) -> str:
    """Which parts of a cancelled transaction were refused and why, for the audit trail and logs."""
    reasons = error.cancellation_reasons or []
    return "; ".join(
        f"part {index}: {reason.code}" for index, reason in enumerate(reasons) if reason is not None
    ) or str(error.cause_response_message or error)


def strs(values: Any) -> list[str]:
    """A list attribute's values as the strings they are (pynamodb types them as attributes)."""
    return [str(value) for value in values or []]


@cache
def connection() -> Connection:
    """One pynamodb connection (one botocore client) per process, for transactions."""
    return Connection(region=settings().region)


def doc_pk(document_id: str) -> str:
    return f"DOC#{document_id}"
