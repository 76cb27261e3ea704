"""收文's items in the records table: the 收文 itself and the 送达回执 of each exchange delivery.

item              PK                                  SK        index
incoming          IN#<incoming id>                    META      GSI2 INCOMING#<status>, by arrival
exchange_receipt  EXCHANGE#<sha256(X-OA-Delivery)>    RECEIPT   (one per delivery: the de-duplication)
extension         IN#<incoming id>                    EXT#<task id>  (延期 asked of the 批办 leader)
result_file       IN#<incoming id>                    RESULT#<task id>#<no>  (办理结果's 附件)

Tasks, history and the audit trail of a 收文 live in its partition like a 发文's (workflow, subject_pk).
"""

from __future__ import annotations

import hashlib

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.expressions.update import Action

from oa_core.platform.errors import NotFound
from oa_core.platform.storage import RecordItem, subject_pk

STATUSES = (
    "receiving",
    "registering",
    "registered",
    "proposing",
    "instructing",
    "handling",
    "checking",
    "concluding",
    "archived",
    "refused",
    "failed",
)
"""待签收, 待登记, 已登记, 待拟办, 待批办, 承办中 (承办 and 传阅), 待办结审核, 待办结 (returned to the 主办),
已归档, 拒收, 失败."""
STATUS_NAMES = {
    "receiving": "待签收",
    "registering": "待登记",
    "registered": "已登记",
    "proposing": "待拟办",
    "instructing": "待批办",
    "handling": "承办中",
    "checking": "待办结审核",
    "concluding": "待办结",
    "archived": "已归档",
    "refused": "已拒收",
    "failed": "处理失败",
}
SOURCES = ("exchange", "registered", "internal")
SOURCE_NAMES = {"exchange": "公文交换", "registered": "文书登记", "internal": "本机关发文"}


class IncomingItem(RecordItem, discriminator="incoming"):
    """收文: a received document and what registration says of it (来文单位, 来文字号, 收文编号 …)."""

    incoming_id = UnicodeAttribute()
    status = UnicodeAttribute()
    current_step = UnicodeAttribute(default="")
    source = UnicodeAttribute()
    sender = UnicodeAttribute()
    """来文单位 (its name, as the sender gave it)."""
    sender_unit_id = UnicodeAttribute(default="")
    """The 外部单位 of the organisation file it matched, if any."""
    sender_number = UnicodeAttribute(default="")
    """来文字号 (the sender's 发文字号)."""
    title = UnicodeAttribute()
    doc_type = UnicodeAttribute(default="")
    urgency = UnicodeAttribute(default="")
    """紧急程度: "", 加急 or 特急."""
    classification = UnicodeAttribute(default="")
    received_at = UnicodeAttribute()
    """收文日期 (when it arrived)."""
    sign_date = UnicodeAttribute(default="")
    """The sender's 成文日期."""
    copies = NumberAttribute(default=1)
    """份数."""
    deadline = UnicodeAttribute(default="")
    """办理时限 (a date, empty: none)."""
    number = UnicodeAttribute(null=True)
    """收文编号, 收〔2026〕n号: taken at 登记, gap-free per year."""
    number_seq = NumberAttribute(null=True)
    file_key = UnicodeAttribute(default="")
    """The received file in the archive bucket (incoming/<id>/<sha256>.pdf)."""
    file_name = UnicodeAttribute(default="")
    file_sha256 = UnicodeAttribute(default="")
    file_size = NumberAttribute(default=0)
    seal_valid = BooleanAttribute(default=False)
    seal_problem = UnicodeAttribute(default="")
    seal_signer = UnicodeAttribute(default="")
    seal_number = UnicodeAttribute(default="")
    seal_fingerprint = UnicodeAttribute(default="")
    seal_algorithm = UnicodeAttribute(default="")
    seal_pinned = UnicodeAttribute(default="unpinned")
    """match, mismatch (the 外部单位's pinned key is another: flagged to the 文书) or unpinned."""
    delivery_id = UnicodeAttribute(default="")
    receipt_id = UnicodeAttribute(default="")
    received_by = UnicodeAttribute(default="")
    """签收人."""
    received_by_at = UnicodeAttribute(default="")
    registered_by = UnicodeAttribute(default="")
    registered_at = UnicodeAttribute(default="")
    round = NumberAttribute(default=1)
    resume_count = NumberAttribute(null=True)
    """How often a failed 收文 was resumed (重新执行): the condition that lets one of two resumes win."""
    """拟办's round: a 退回 (批办, 承办) to 拟办 starts the next; task ids carry it."""
    plan = UnicodeAttribute(default="")
    """JSON of the plan in force (incoming.plans): leader, handlers [{department, role, deadline}], readers."""
    proposal = UnicodeAttribute(default="")
    """拟办意见."""
    proposed_by = UnicodeAttribute(default="")
    proposed_at = UnicodeAttribute(default="")
    instruction = UnicodeAttribute(default="")
    """领导批示."""
    instructed_by = UnicodeAttribute(default="")
    instructed_at = UnicodeAttribute(default="")
    result = UnicodeAttribute(default="")
    """The 主办's final 办理结果 (办结)."""
    checked_by = UnicodeAttribute(default="")
    checked_at = UnicodeAttribute(default="")
    replies = ListAttribute(of=UnicodeAttribute, default=list)
    """发文 replies started from this 收文 (document ids)."""
    archive_code = UnicodeAttribute(null=True)
    """档号 (records.incoming_archive)."""
    item_no = NumberAttribute(null=True)
    retention = UnicodeAttribute(default="")
    sheet_key = UnicodeAttribute(default="")
    """收文处理笺 as PDF in the archive bucket (incoming/<id>/sheet-<sha256>.pdf), drawn before 归档."""
    sheet_sha256 = UnicodeAttribute(default="")
    archive_key = UnicodeAttribute(default="")
    archive_sha256 = UnicodeAttribute(default="")
    archived_at = UnicodeAttribute(default="")
    concluded_receipt = UnicodeAttribute(default="")
    """办结回执 to the sender (incoming.concluded_receipt): "" (none due), sent, retrying, failed (未送达) or
    unregistered (the 外部单位 has no receipt_url)."""
    concluded_receipt_attempts = NumberAttribute(default=0)
    concluded_receipt_error = UnicodeAttribute(default="")
    concluded_receipt_at = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ExchangeReceiptItem(RecordItem, discriminator="exchange_receipt"):
    """送达回执 of one exchange delivery: put once (the condition that makes a repeat the same delivery)."""

    delivery_id = UnicodeAttribute()
    incoming_id = UnicodeAttribute()
    receipt_id = UnicodeAttribute()
    sender = UnicodeAttribute()
    at = UnicodeAttribute()


class ExtensionItem(RecordItem, discriminator="extension"):
    """延期: a 承办 department's request for a later 办理时限, decided by the 批办 leader (task ``extend``)."""

    task_id = UnicodeAttribute()
    """The leader's task that decides it."""
    handler_task_id = UnicodeAttribute()
    department = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    until = UnicodeAttribute()
    reason = UnicodeAttribute()
    previous_due_at = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")
    """pending, approved, refused."""
    at = UnicodeAttribute()


class ResultFileItem(RecordItem, discriminator="incoming_result_file"):
    """办理结果's 附件: one file a 承办 department reported with its result, put in the decision's transaction.

    The bytes are in the attachments bucket (``attachments/<incoming id>/<sha256>``, that object version),
    written after their check as a 发文's 附件 are (outgoing.uploads)."""

    task_id = UnicodeAttribute()
    """The 承办 task whose 办理结果 it belongs to (its round and department index)."""
    no = NumberAttribute()
    filename = UnicodeAttribute()
    file_kind = UnicodeAttribute()
    """platform.filetypes key, judged from the bytes."""
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    sha256 = UnicodeAttribute()
    key = UnicodeAttribute()
    s3_version = UnicodeAttribute(default="")
    uploaded_by = UnicodeAttribute()
    uploaded_at = UnicodeAttribute()


def result_file_key(incoming_id: str, task_id: str, no: int) -> tuple[str, str]:
    return subject_pk(incoming_id), f"RESULT#{task_id}#{no:02d}"


def result_files(incoming_id: str) -> list[ResultFileItem]:
    """Every 办理结果 附件 of a 收文 (one Query on its partition), by task and number."""
    found = RecordItem.query(subject_pk(incoming_id), RecordItem.SK.startswith("RESULT#"), consistent_read=True)
    return [item for item in found if isinstance(item, ResultFileItem)]


def incoming_key(incoming_id: str) -> tuple[str, str]:
    return subject_pk(incoming_id), "META"


def receipt_key(delivery_id: str) -> tuple[str, str]:
    return f"EXCHANGE#{hashlib.sha256(delivery_id.encode('utf-8')).hexdigest()}", "RECEIPT"


def status_index(status: str, received_at: str, incoming_id: str) -> tuple[str, str]:
    return f"INCOMING#{status}", f"{received_at}#{incoming_id}"


def status_actions(item: IncomingItem, status: str, step: str, now: str) -> list[Action]:
    """Move a 收文 to ``status`` (its list by status follows)."""
    pk, sk = status_index(status, item.received_at, item.incoming_id)
    return [
        IncomingItem.status.set(status),
        IncomingItem.current_step.set(step),
        IncomingItem.GSI2PK.set(pk),
        IncomingItem.GSI2SK.set(sk),
        IncomingItem.updated_at.set(now),
    ]


def load_incoming(incoming_id: str) -> IncomingItem:
    if not incoming_id.startswith("I"):
        raise NotFound("这份收文不存在")
    try:
        return IncomingItem.get(*incoming_key(incoming_id), consistent_read=True)
    except IncomingItem.DoesNotExist:
        raise NotFound("这份收文不存在") from None


def approved_until(incoming_id: str) -> dict[str, str]:
    """The latest approved 延期至 of each 承办 task (by its task id): the 办理时限 in force. Here, not in
    incoming.extensions, so that a 承办 task reopened by 继续办理 (incoming.steps) keeps it too."""
    found = RecordItem.query(subject_pk(incoming_id), RecordItem.SK.startswith("EXT#"), consistent_read=True)
    approved = sorted((e for e in found if isinstance(e, ExtensionItem) and e.status == "approved"), key=lambda e: e.at)
    return {e.handler_task_id: e.until for e in approved}
