"""收文 made here rather than received by exchange, where 发文 and 收文 meet (neither imports the other):

- 文书登记: the office's 文书 uploads the scan as 附件 are uploaded (outgoing.uploads: a presigned POST
  into the attachments bucket under the form's reserved 收文 id, the bytes checked by platform.filetypes
  when it arrived), then registers it; incoming.intake keeps the file and starts IncomingFlow.
- 转为收文: a department's 文书 takes up a 发文 of ours distributed to the department: its issued PDF (with
  its own seal checked) becomes one 收文 per distribution.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from oa_core.identity import directory
from oa_core.incoming import intake
from oa_core.outgoing import uploads
from oa_core.outgoing.attachments import UploadTicket, clean_filename
from oa_core.platform import audit
from oa_core.platform.errors import Forbidden, NotFound
from oa_core.platform.models import StrictModel
from oa_core.platform.storage import doc_pk


class ScanTicket(UploadTicket):
    """A presigned POST for a registration's scan, and the 收文 id it is reserved under."""

    incoming_id: str


class ScanRequest(StrictModel):
    """A scan the 文书 is about to upload: its name (and size); ``incoming_id`` to upload again for one 收文."""

    filename: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    size: Annotated[int, Field(ge=0)] | None = None
    incoming_id: Annotated[str, StringConstraints(pattern=intake.RESERVED_ID.pattern)] | None = None


def _office_clerk(user: dict[str, Any]) -> None:
    if not directory.is_office_clerk(user):
        raise Forbidden("只有办公室文书可以登记来文")


def scan_ticket(user: dict[str, Any], incoming_id: str, filename: str, size: int | None) -> ScanTicket:
    """A presigned POST for the scanned 来文 (PDF, OFD or an image) of a registration form (``incoming_id``
    empty: a new one is reserved)."""
    _office_clerk(user)
    incoming_id = incoming_id or intake.new_incoming_id()
    if not intake.RESERVED_ID.fullmatch(incoming_id):
        raise NotFound("登记表已失效，请刷新页面后重新上传")
    name = clean_filename(filename)
    if not intake.is_scan(name):
        raise intake.refuse_scan(name)
    ticket = uploads.new_upload(incoming_id, user["user_id"], name, size)[1]
    return ScanTicket(**ticket.model_dump(), incoming_id=incoming_id)


def register(user: dict[str, Any], fields: intake.PaperRegistration) -> intake.IncomingCreated:
    """文书登记: the scan checked by its bytes, then the 收文 put once and its flow started."""
    _office_clerk(user)
    upload = uploads.load_upload(fields.incoming_id, fields.upload, user["user_id"])
    if not intake.is_scan(upload.filename):
        raise intake.refuse_scan(upload.filename)
    entry = uploads.received(upload, user["user_id"], 1)
    try:
        data = uploads.stored_bytes(entry)
        created = intake.create(
            fields.incoming_id,
            source="registered",
            actor=user["user_id"],
            sender=fields.sender,
            sender_number=fields.sender_number,
            title=fields.title,
            data=data,
            filename=upload.filename,
            received_at=intake.arrived_at(fields.received_on),
            urgency=fields.urgency,
            copies=fields.copies,
            deadline=fields.deadline.isoformat() if fields.deadline else "",
        )
    finally:
        uploads.discard_copy(entry)  # the 收文's file is kept in the archive bucket, not as an 附件
    uploads.forget_upload(upload)
    upload.delete()  # used up: the same token registers nothing more
    return created


def take_up(user: dict[str, Any], document_id: str) -> intake.IncomingCreated:
    """转为收文: the department's 文书 makes its distribution of our 发文 a 收文 to handle, once."""
    from oa_core.outgoing import printing
    from oa_core.outgoing.storage import DeliveryItem, load_document

    department = str(user["department"])
    if not directory.is_department_clerk(user, department):
        audit.record(user["user_id"], "incoming:internal", document_id, "denied", department)
        raise Forbidden("只有收文部门的文书可以将分发的文件转为收文")
    try:
        delivery = DeliveryItem.get(doc_pk(document_id), f"DELIVERY#{department}", consistent_read=True)
    except DeliveryItem.DoesNotExist:
        raise Forbidden("该文件没有分发给您所在的部门") from None
    if delivery.channel != "internal" or delivery.status not in ("delivered", "received"):
        raise Forbidden("该文件没有分发给您所在的部门")
    data, filename = printing.download(document_id, user)
    doc = load_document(document_id)
    names = {d["department_id"]: d["name"] for d in directory.list_departments()}
    return intake.create(
        intake.internal_id(document_id, department),
        source="internal",
        actor=user["user_id"],
        sender=names.get(doc.drafter_department, doc.drafter_department) or "本机关",
        sender_number=doc.number or "",
        title=doc.title,
        data=data,
        filename=filename,
        urgency=doc.urgency or "",
        doc_type=doc.doc_type or "",
        sign_date=doc.sign_date or "",
        seal=intake.own_seal(data),
        detail=f"{names.get(department, department)} 转为收文：{doc.number or doc.title}",
    )


__all__ = ["ScanRequest", "ScanTicket", "register", "scan_ticket", "take_up"]
