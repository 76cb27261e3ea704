"""发文 in the records table: the document, its versions, deliveries, inbox entries, drafts and 办结 entries."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.expressions.update import Action

from oa_core.platform.errors import NotFound
from oa_core.platform.storage import RecordItem, doc_pk

# A document's partition also holds its tasks and opinions: importing workflow's items registers their
# kinds, so a Query over the partition reads every item it holds (the audit items are platform's).
from oa_core.workflow import storage as _workflow_items  # noqa: F401


class AttachmentEntry(MapAttribute[str, object]):
    """附件: one file of a document, in its place in the list (outgoing.attachments)."""

    no = NumberAttribute()
    """The attachment's number in its document: given once, never reused (the ``{n}`` of its routes)."""
    title = UnicodeAttribute()
    """附件名称 as the 附件说明 lists it."""
    filename = UnicodeAttribute()
    """The name it was uploaded with (Chinese kept; path and control characters removed)."""
    kind = UnicodeAttribute()
    """platform.filetypes key: pdf, ofd, docx, xlsx, ole, jpeg, png, zip (judged from the bytes)."""
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    sha256 = UnicodeAttribute()
    key = UnicodeAttribute()
    """The object in the attachments bucket (``attachments/<document>/<sha256>``) and its S3 version."""
    s3_version = UnicodeAttribute(default="")
    uploaded_by = UnicodeAttribute()
    uploaded_at = UnicodeAttribute()


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
    """附件说明 without its label 附件： (generated from ``attachments`` when there are any)."""
    letter_format = BooleanAttribute(null=True)
    """版式 (GB/T 9704 §10), as drafted: see DraftSubmission; with co_issuers, sealed, remarks, signer_title and
    the 纪要's attendees, on_leave and observers."""
    co_issuers = ListAttribute(of=UnicodeAttribute, default=list)
    sealed = BooleanAttribute(default=True)
    remarks = UnicodeAttribute(default="")
    signer_title = UnicodeAttribute(default="")
    attendees = ListAttribute(of=UnicodeAttribute, default=list)
    on_leave = ListAttribute(of=UnicodeAttribute, default=list)
    observers = ListAttribute(of=UnicodeAttribute, default=list)
    attachments = ListAttribute(of=AttachmentEntry, default=list)
    """附件 in order: a copy of the ATTACHMENTS item's entries, written in the same transaction."""
    seal_digest = UnicodeAttribute(null=True)
    """电子签章: SHA-256 (hex) of the canonical content signed after 编号 (sealing.py)."""
    seal_signature = UnicodeAttribute(null=True)
    seal_key = UnicodeAttribute(null=True)
    seal_algorithm = UnicodeAttribute(null=True)
    """How seal_signature was made (ECDSA_SHA_256 or SM2DSA; absent on seals made before it was recorded)."""
    sealed_at = UnicodeAttribute(null=True)
    pdf_key = UnicodeAttribute(null=True)
    """印制: the sealed GB/T 9704 PDF in the archive bucket (outgoing.printing), with its SHA-256."""
    pdf_sha256 = UnicodeAttribute(null=True)
    pdf_version = UnicodeAttribute(null=True)
    """The S3 object version of the PDF (the bucket is versioned): readers get exactly that one."""
    ofd_key = UnicodeAttribute(null=True)
    """印制: the sealed OFD (GB/T 33190) beside the PDF, drawn from the same layout; its SHA-256 and version."""
    ofd_sha256 = UnicodeAttribute(null=True)
    ofd_version = UnicodeAttribute(null=True)
    printed_at = UnicodeAttribute(null=True)
    archive_code = UnicodeAttribute(null=True)
    """档号 (DA/T 22), with item_no (件号) and retention (保管期限): records.filing."""
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
    in_reply_to = UnicodeAttribute(default="")
    """The 收文 this 发文 answers (its id), when a 承办 department started it as a reply."""
    reply_to_number = UnicodeAttribute(default="")
    """That 收文's 来文字号, shown on the reply."""
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


class AttachmentsItem(RecordItem, discriminator="attachments"):
    """附件: a document's attachments in order (SK ``ATTACHMENTS``), also before the draft is submitted
    (then the partition holds no document yet and ``owner`` is the drafter who reserved the id).

    ``digests`` (a string set of the entries' SHA-256) and ``rev`` let one conditional write refuse a
    duplicate (``NOT contains(digests, :sha)``), the count limit (``size(entries) < :max``) and a change
    made from a stale list (``rev = :seen``)."""

    document_id = UnicodeAttribute()
    owner = UnicodeAttribute()
    entries = ListAttribute(of=AttachmentEntry, default=list)
    digests = UnicodeSetAttribute(null=True)
    rev = NumberAttribute(default=0)
    next_no = NumberAttribute(default=1)
    updated_at = UnicodeAttribute(default="")


class UploadItem(RecordItem, discriminator="upload"):
    """An upload signed but not yet attached (SK ``UPLOAD#<token>``): the S3 key it may write under
    ``pending/``, the name it was announced with, who may attach it; gone when attached, else expired by TTL."""

    document_id = UnicodeAttribute()
    token = UnicodeAttribute()
    owner = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    key = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at_epoch = NumberAttribute()


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
    attachments = ListAttribute(of=AttachmentEntry, default=list)
    """The attachments as this version had them (their order, titles, files)."""


class DeliveryItem(RecordItem, discriminator="delivery"):
    """分发: one recipient of a distributed document."""

    document_id = UnicodeAttribute()
    recipient = UnicodeAttribute()
    channel = UnicodeAttribute()
    status = UnicodeAttribute()
    """Internal: delivered (not yet 签收), received (签收). External (对外发送, outgoing.delivery): queued,
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
    concluded_number = UnicodeAttribute(default="")
    """办结回执 (outgoing.concluded): the receiver's 收文编号 once it has concluded and archived our document."""
    concluded_at = UnicodeAttribute(default="")
    """When the receiver concluded it (its time, as it said); empty until its 办结回执 arrives, put once."""
    concluded_recorded_at = UnicodeAttribute(default="")


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


class DraftItem(RecordItem, discriminator="draft"):
    """草稿: a 拟稿 form saved to be finished and submitted later; the fields as the form had them."""

    draft_id = UnicodeAttribute()
    owner = UnicodeAttribute()
    title = UnicodeAttribute(default="")
    doc_type = UnicodeAttribute(default="")
    fields = UnicodeAttribute()
    """The form's fields as JSON."""
    saved_at = UnicodeAttribute()


class FinishedItem(RecordItem, discriminator="finished"):
    """办结: a document that reached its end (archived or rejected), one entry per person who drafted or
    decided it, in their 办结 list (GSI1 ``FINISHED#<user>`` by when it ended)."""

    document_id = UnicodeAttribute()
    person = UnicodeAttribute()
    title = UnicodeAttribute()
    doc_type = UnicodeAttribute()
    number = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    """archived or rejected."""
    finished_at = UnicodeAttribute()


def finished_entries(doc: DocumentItem, status: str, at: str, deciders: list[str]) -> list[FinishedItem]:
    """办结 entries for the drafter and every decider of a document that ended (keyed per person, so a
    retried step writes the same ones again)."""
    people = dict.fromkeys([doc.drafter, *(d for d in deciders if d and d != "system")])
    return [
        FinishedItem(
            doc_pk(doc.document_id),
            f"FINISHED#{person}",
            document_id=doc.document_id,
            person=person,
            title=doc.title,
            doc_type=doc.doc_type,
            number=doc.number or "",
            status=status,
            finished_at=at,
            GSI1PK=f"FINISHED#{person}",
            GSI1SK=f"{at}#{doc.document_id}",
        )
        for person in people
    ]


def document_status_actions(status: str, step: str, at: str) -> list[Action]:
    """Set a document's status and current step, keeping its GSI2 status index in step."""
    return [
        DocumentItem.status.set(status),
        DocumentItem.current_step.set(step),
        DocumentItem.updated_at.set(at),
        DocumentItem.GSI2PK.set(f"STATUS#{status}"),
        DocumentItem.GSI2SK.set(at),
    ]


def load_document(document_id: str) -> DocumentItem:
    try:
        return DocumentItem.get(doc_pk(document_id), "META", consistent_read=True)
    except DocumentItem.DoesNotExist:
        raise NotFound("这份文件不存在 (no such document)") from None
