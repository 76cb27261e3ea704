"""收文 as people read them: the list by status and one 收文 with its seal check, tasks and history.

The office's 文书 (directory.is_office_clerk) read every 收文; anyone else reads a 收文 only while or
after holding one of its tasks (the later steps' 批办, 承办 and 传阅 give leaders and departments theirs).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from oa_core.identity import directory
from oa_core.incoming.models import IncomingSummary, IncomingView, SealCheck
from oa_core.incoming.steps import STEPS
from oa_core.incoming.storage import STATUS_NAMES, STATUSES, IncomingItem, load_incoming
from oa_core.platform.config import client, settings
from oa_core.platform.errors import Forbidden, InvalidInput
from oa_core.platform.storage import RecordItem
from oa_core.workflow.tasks import history_of, tasks_of

LIST_LIMIT = 200
HISTORY_NAMES = {"arrive": "来文送达", **STEPS}
DECISION_NAMES = {
    "received": "已签收",
    "refused": "拒收",
    "registered": "已登记",
    "failed": "失败",
    "timed_out": "超时",
    "registered_paper": "文书登记",
    "taken_up": "转为收文",
}


def summary(item: IncomingItem) -> IncomingSummary:
    return IncomingSummary(
        incoming_id=item.incoming_id,
        title=item.title,
        sender=item.sender,
        sender_number=item.sender_number or "",
        status=item.status,
        status_name=STATUS_NAMES.get(item.status, item.status),
        source=item.source,
        number=item.number or "",
        urgency=item.urgency or "",
        received_at=item.received_at,
        deadline=item.deadline or "",
    )


def list_incoming(user: dict[str, Any], status: str = "") -> list[IncomingSummary]:
    """收文 by status (newest first), or every status; only the office's 文书 list them."""
    if status and status not in STATUSES:
        raise InvalidInput(f"收文状态只能是：{'、'.join(STATUSES)}")
    if not directory.is_office_clerk(user):
        return []
    found: list[IncomingSummary] = []
    for each in [status] if status else list(STATUSES):
        query = RecordItem.gsi2.query(f"INCOMING#{each}", scan_index_forward=False, limit=LIST_LIMIT)
        found += [summary(item) for item in query if isinstance(item, IncomingItem)]
    return sorted(found, key=lambda s: s.received_at, reverse=True)[:LIST_LIMIT]


def count_waiting(user: dict[str, Any], status: str) -> int:
    """How many 收文 wait in ``status`` (the 工作台's 待签收 count), for the office's 文书."""
    return len(list_incoming(user, status)) if directory.is_office_clerk(user) else 0


def readable(user: dict[str, Any], incoming_id: str) -> IncomingItem:
    item = load_incoming(incoming_id)
    if directory.is_office_clerk(user):
        return item
    if any(task.assignee == user["user_id"] for task in tasks_of(incoming_id)):
        return item
    raise Forbidden("您没有权限查看这份收文")


def seal_of(item: IncomingItem) -> SealCheck:
    return SealCheck(
        valid=bool(item.seal_valid),
        reason=item.seal_problem or "",
        signer=item.seal_signer or "",
        signed_number=item.seal_number or "",
        fingerprint=item.seal_fingerprint or "",
        algorithm=item.seal_algorithm or "",
        pinned=item.seal_pinned or "unpinned",  # type: ignore[arg-type]
    )


def view(user: dict[str, Any], incoming_id: str) -> IncomingView:
    item = readable(user, incoming_id)
    tasks = tasks_of(incoming_id)
    history = [
        {
            "step": h.step,
            "step_name": HISTORY_NAMES.get(h.step, h.step),
            "actor": h.actor,
            "decision": h.decision,
            "decision_name": DECISION_NAMES.get(h.decision, h.decision),
            "opinion": h.opinion or "",
            "at": h.at,
        }
        for h in sorted(history_of(incoming_id), key=lambda h: h.at)
    ]
    return IncomingView(
        **summary(item).model_dump(),
        doc_type=item.doc_type or "",
        copies=int(item.copies or 1),
        sign_date=item.sign_date or "",
        current_step=item.current_step or "",
        receipt_id=item.receipt_id or "",
        received_by=item.received_by or "",
        registered_by=item.registered_by or "",
        registered_at=item.registered_at or "",
        file_name=item.file_name or "",
        file_sha256=item.file_sha256 or "",
        file_size=int(item.file_size or 0),
        seal=seal_of(item),
        pending=[t.assignee for t in tasks if t.status == "pending"],
        history=history,
    )


@cache
def _s3() -> Any:
    return client("s3")


def received_file(user: dict[str, Any], incoming_id: str) -> tuple[str, bytes]:
    """The received PDF as it arrived: (file name, bytes)."""
    item = readable(user, incoming_id)
    body = _s3().get_object(Bucket=settings().archive_bucket, Key=item.file_key)["Body"].read()
    return item.file_name or f"{item.number or '来文'}.pdf", bytes(body)
