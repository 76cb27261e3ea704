"""收文 that do not come by exchange: registered by the 文书 (paper or email that arrived elsewhere, the
scanned file uploaded) and our own 发文 a department takes up to handle (``internal``).

Either is one IncomingItem put once (condition: its key absent), with its file in the archive bucket
beside the exchanged ones (``incoming/<id>/<sha256><ext>``), its 来文送达 history and its audit record in
the same transaction; then IncomingFlow starts at 签收 like an exchanged 收文 (one path for every
source: docs/decisions.md). The file arrives already checked by its bytes (platform.filetypes): the
web and API functions upload it as 附件 are uploaded and hand the bytes here.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.incoming import flow
from oa_core.incoming.models import SealCheck
from oa_core.incoming.storage import IncomingItem, incoming_key, status_index
from oa_core.platform import audit, clock, filetypes
from oa_core.platform.config import client, settings
from oa_core.platform.errors import Conflict, InvalidInput
from oa_core.platform.models import OutputModel, StrictModel, Urgency
from oa_core.platform.storage import connection, lost_on_condition
from oa_core.workflow.tasks import history_item

RESERVED_ID = re.compile(r"^I[0-9a-f]{20}$")
"""An id the registration form reserves for its upload (the form's file lives under it)."""
SCAN_KINDS = (filetypes.PDF, filetypes.OFD, filetypes.JPEG, filetypes.PNG)
SCAN_TEXT = "PDF、OFD、JPEG 或 PNG"
NO_SEAL = "纸质来文扫描件，无电子签章"


def new_incoming_id() -> str:
    return "I" + secrets.token_hex(10)


def internal_id(document_id: str, department: str) -> str:
    """The one 收文 a department may make of a distribution: named by the 发文 and the department."""
    return "I" + hashlib.sha256(f"internal\n{document_id}\n{department}".encode()).hexdigest()[:20]


def is_scan(filename: str) -> bool:
    kind = filetypes.kind_for_name(filename)
    return kind is not None and kind in SCAN_KINDS


def refuse_scan(filename: str) -> InvalidInput:
    return InvalidInput(f"来文扫描件“{filename}”不可用：只接受 {SCAN_TEXT} 文件。", code="scan_type_refused")


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class PaperRegistration(StrictModel):
    """文书登记: a 收文 that arrived on paper or by email, and the file its scan was uploaded as."""

    incoming_id: Annotated[str, StringConstraints(pattern=RESERVED_ID.pattern)]
    upload: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    sender: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    """来文单位."""
    sender_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] = ""
    """来文字号."""
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    urgency: Urgency = ""
    classification: str = ""
    received_on: date
    """收文日期."""
    copies: Annotated[int, Field(ge=1, le=999)] = 1
    """份数."""
    deadline: date | None = None
    """办理时限."""

    @field_validator("classification")
    @classmethod
    def _not_classified(cls, value: str) -> str:
        if value not in ("", "非密"):
            raise ValueError("涉密公文不得在本系统处理，请按保密规定线下办理")
        return value

    @model_validator(mode="after")
    def _dates(self) -> PaperRegistration:
        if self.received_on > clock.now().date():
            raise ValueError("收文日期不能晚于今天")
        if self.deadline is not None and self.deadline < self.received_on:
            raise ValueError("办理时限不能早于收文日期")
        return self


def own_seal(pdf: bytes) -> SealCheck:
    """Our own 发文's seal, checked with our seal key in KMS (not the key the file carries): a 收文 taken up
    from a distribution shows it as the page shows an exchanged one's, its key ours (pinned: match)."""
    import base64

    from oa_core.incoming.seal_check import SHOWN_DIGITS, _chinese
    from oa_core.publishing.seal import verify_pdf

    problem, block = verify_pdf(pdf, settings().seal_key_id)
    try:
        key = base64.b64decode(str(block.get("public_key") or ""), validate=True)
    except ValueError:
        key = b""
    return SealCheck(
        valid=problem is None,
        reason=_chinese(problem or ""),
        signer=str(block.get("signer_name") or block.get("signed_by") or settings().org_name)[:100],
        signed_number=str(block.get("number") or "")[:60],
        fingerprint=hashlib.sha256(key).hexdigest()[:SHOWN_DIGITS] if key else "",
        algorithm=str(block.get("alg") or "")[:20],
        pinned="match" if problem is None else "unpinned",
    )


class IncomingCreated(OutputModel):
    incoming_id: str
    status: str
    source: str


def arrived_at(day: date) -> str:
    """收文日期 as the 收文's arrival time: now when it is today, else that day's start."""
    today = clock.now()
    if day == today.date():
        return clock.now_iso()
    return f"{day.isoformat()}T00:00:00{today.isoformat()[-6:]}"


def _store_file(incoming_id: str, data: bytes, filename: str) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    key = f"incoming/{incoming_id}/{digest}{filetypes.extension_of(filename) or '.pdf'}"
    client("s3").put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=data,
        ContentType=filetypes.content_type_for(filename),
        Metadata={"incoming-id": incoming_id, "sha256": digest},
    )
    return key, digest


def create(
    incoming_id: str,
    *,
    source: Literal["registered", "internal"],
    actor: str,
    sender: str,
    sender_number: str,
    title: str,
    data: bytes,
    filename: str,
    received_at: str = "",
    urgency: str = "",
    doc_type: str = "",
    copies: int = 1,
    deadline: str = "",
    sign_date: str = "",
    seal: SealCheck | None = None,
    detail: str = "",
) -> IncomingCreated:
    """Put the 收文 once and start its flow; Conflict when it exists already (a second registration
    of the same form, or a distribution taken up twice)."""
    kind = filetypes.sniff(data)
    if kind is None or kind not in SCAN_KINDS or not filetypes.matches_name(kind, filename):
        raise refuse_scan(filename)
    key, digest = _store_file(incoming_id, data, filename)
    now = clock.now_iso()
    arrived = received_at or now
    check = seal or SealCheck(valid=False, reason=NO_SEAL)
    gsi_pk, gsi_sk = status_index("receiving", arrived, incoming_id)
    item = IncomingItem(
        *incoming_key(incoming_id),
        incoming_id=incoming_id,
        status="receiving",
        current_step="receive",
        source=source,
        sender=sender,
        sender_number=sender_number,
        title=title,
        doc_type=doc_type,
        urgency=urgency,
        received_at=arrived,
        sign_date=sign_date,
        copies=copies,
        deadline=deadline,
        file_key=key,
        file_name=filename[:200],
        file_sha256=digest,
        file_size=len(data),
        seal_valid=check.valid,
        seal_problem=check.reason,
        seal_signer=check.signer,
        seal_number=check.signed_number,
        seal_fingerprint=check.fingerprint,
        seal_algorithm=check.algorithm,
        seal_pinned=check.pinned,
        created_at=now,
        updated_at=now,
        GSI2PK=gsi_pk,
        GSI2SK=gsi_sk,
    )
    outcome = "registered_paper" if source == "registered" else "taken_up"
    what = detail or f"{sender} {sender_number or '（无字号）'}"
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(item, condition=IncomingItem.PK.does_not_exist())
            tx.save(history_item(incoming_id, "arrive", actor, outcome, what))
            tx.save(audit.audit_item(actor, f"incoming:{source}", incoming_id, "ok", what, document_id=incoming_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        audit.record(actor, f"incoming:{source}", incoming_id, "conflict", what, document_id=incoming_id)
        raise Conflict(
            "这份来文已登记过，不会重复登记" if source == "registered" else "本部门已将这份文件转为收文，不会重复转办"
        ) from exc
    flow.start(incoming_id)
    return IncomingCreated(incoming_id=incoming_id, status="receiving", source=source)


__all__ = ["PaperRegistration", "create", "internal_id", "new_incoming_id"]
