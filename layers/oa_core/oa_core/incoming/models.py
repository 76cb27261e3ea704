"""Pydantic models of 收文's edges: the exchange payload another unit's system sends, 登记's fields,
the events IncomingFlow sends its steps, and the views the API and pages show."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from oa_core.platform.models import FieldProblem, OutputModel, StrictModel, Urgency

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


DATE_WANTED = "请填写真实存在的日期，如 2026-12-31"


def is_day(text: str) -> bool:
    """Whether ``text`` is a day of the calendar written YYYY-MM-DD (2026-02-30 is not)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def real_date(value: str) -> str:
    """A 办理时限 or 延期至 as it is stored (text YYYY-MM-DD), once it is a day of the calendar: 2026-02-30 is
    refused here, at the edge, not when the 承办 task opens (where it once put the 收文 into 处理失败)."""
    if not is_day(value):
        raise FieldProblem(DATE_WANTED)
    return value


def real_date_or_empty(value: str) -> str:
    return value and real_date(value)


DateText = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(real_date)]
"""A calendar date as text, YYYY-MM-DD (a wrong shape or an impossible day: 422 naming the field)."""
DateOrEmpty = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(real_date_or_empty)]


class _Received(BaseModel):
    """What another system sends: unknown fields are ignored (a newer sender may send more)."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, defer_build=True)


class ExchangeSender(_Received):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    fonds_code: Annotated[str, StringConstraints(max_length=20)] = ""


class ExchangeRecipient(_Received):
    name: Annotated[str, StringConstraints(max_length=100)] = ""
    platform_code: Annotated[str, StringConstraints(max_length=50)] = ""


class ExchangeDocument(_Received):
    document_id: Annotated[str, StringConstraints(max_length=64)] = ""
    number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] = ""
    doc_type: Annotated[str, StringConstraints(max_length=20)] = ""
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    urgency: Urgency = ""
    sign_date: Annotated[str, StringConstraints(max_length=40)] = ""
    seal_digest: Annotated[str, StringConstraints(max_length=128)] = ""


class ExchangePdf(_Received):
    filename: Annotated[str, StringConstraints(max_length=200)] = ""
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
    base64: Annotated[str, StringConstraints(min_length=1)]


class ExchangePayload(_Received):
    """The body of an exchange delivery: exactly what our own 对外发送 sends (outgoing.delivery.payload)."""

    delivery_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    sender: ExchangeSender
    recipient: ExchangeRecipient = ExchangeRecipient()
    document: ExchangeDocument
    pdf: ExchangePdf


class IncomingStepEvent(BaseModel):
    """What IncomingFlow sends the incoming function: open a human step, mark the 收文 failed, or enter a
    resumed execution at ``resume_at`` (incoming.resume)."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, defer_build=True)
    action: Literal["open_task", "mark_failed", "resume"]
    resume_at: str = Field(default="", max_length=30)
    incoming_id: str = Field(min_length=1, max_length=64)
    step: str = Field(default="", max_length=30)
    index: int | None = Field(default=None, ge=0, le=100)
    """A Map item's index (承办: the department in the plan, 传阅: the reader)."""
    task_token: str | None = Field(default=None, repr=False)
    execution_started_at: AwareDatetime | None = None
    timeout_seconds: int | None = Field(default=None, ge=1)
    error: dict[str, object] | None = None


class IncomingSheetEvent(BaseModel):
    """What IncomingFlow's DrawSheet sends the sheet function: the 收文 whose 收文处理笺 to draw."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, defer_build=True)
    incoming_id: str = Field(min_length=1, max_length=64)


class IncomingRegistration(StrictModel):
    """登记: what the 文书 checks or completes before the 收文编号 is taken (every field optional: the
    received values stand when left out)."""

    sender: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    sender_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    urgency: Urgency | None = None
    classification: str | None = None
    copies: Annotated[int, Field(ge=1, le=999)] | None = None
    deadline: DateOrEmpty | None = None
    """办理时限, a date YYYY-MM-DD ("" clears it); not before the 收文日期 (incoming.decisions)."""

    @field_validator("classification")
    @classmethod
    def _not_classified(cls, value: str | None) -> str | None:
        if value not in (None, "", "非密"):
            raise ValueError("涉密公文不得在本系统处理")
        return value


class SealCheck(OutputModel):
    """The received PDF's 电子签章, checked with the key it carries (as make verify checks it)."""

    valid: bool
    reason: str = ""
    signer: str = ""
    signed_number: str = ""
    fingerprint: str = ""
    algorithm: str = ""
    pinned: Literal["match", "mismatch", "unpinned"] = "unpinned"


class IncomingSummary(OutputModel):
    incoming_id: str
    title: str
    sender: str
    sender_number: str
    status: str
    status_name: str
    source: str
    number: str = ""
    urgency: str = ""
    received_at: str
    deadline: str = ""


class ConcludedReceiptState(OutputModel):
    """办结回执 to the sender (a 收文 that came by exchange, after 归档): status "" when none is due."""

    status: str = ""
    """sent, retrying, failed (未送达), unregistered (no receipt_url), or "" (none due)."""
    words: str = ""
    attempts: int = 0
    error: str = ""
    at: str = ""


class IncomingView(IncomingSummary):
    doc_type: str = ""
    copies: int = 1
    sign_date: str = ""
    current_step: str = ""
    receipt_id: str = ""
    received_by: str = ""
    registered_by: str = ""
    registered_at: str = ""
    file_name: str = ""
    file_sha256: str = ""
    file_size: int = 0
    sheet_sha256: str = ""
    """收文处理笺's SHA-256 once it is drawn (办结审核 passed): GET /api/incoming/{id}/sheet serves it."""
    seal: SealCheck
    pending: list[str] = []
    history: list[dict[str, str]] = []
    handling: HandlingView | None = None
    concluded_receipt: ConcludedReceiptState = ConcludedReceiptState()


class ExchangeAccepted(OutputModel):
    receipt_id: str


PersonId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class HandlerPlan(StrictModel):
    """One 承办 department and its 办理时限 (a date; empty: the 收文's 办理时限)."""

    department: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    deadline: DateText | None = None


class IncomingPlan(StrictModel):
    """拟办 (and 批办's changes): the leader who 批办s, the 主办 and 协办 departments, the 传阅 readers.

    Who and which departments exist is checked against the organisation (incoming.plans), 422 otherwise."""

    leader: PersonId | None = None
    """批办 leader (a 签发人); 批办 itself may leave it out."""
    lead: HandlerPlan
    """主办 department."""
    assist: list[HandlerPlan] = Field(default=[], max_length=10)
    """协办 departments."""
    readers: list[PersonId] = Field(default=[], max_length=20)
    """传阅: who should 阅."""


class ExtensionRequest(StrictModel):
    """延期: a 承办 department asks the 批办 leader for a later 办理时限."""

    until: DateText
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Reassignment(StrictModel):
    """改派主办: the 文书 moves the 主办 to another department (the reason is audited)."""

    department: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ResultFile(OutputModel):
    """A 办理结果 附件 as it arrived, already checked (type by its bytes, size, SHA-256) and stored in the
    attachments bucket (by the worklist, through outgoing.uploads): what the 承办 decision keeps."""

    no: int
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    key: str
    s3_version: str = ""
    uploaded_by: str
    uploaded_at: str


class ResultFileView(OutputModel):
    """One 办理结果 附件 on the 收文 page and the 收文处理笺 (opened through ``path``, audited)."""

    no: int
    filename: str
    size: int
    sha256: str
    path: str
    """GET it (302 to a short-lived link), for those who may read the 收文."""


class HandlerState(OutputModel):
    """One 承办 department's state on the 收文 page and the 收文处理笺."""

    department: str
    department_name: str
    role: Literal["主办", "协办"]
    assignee: str = ""
    assignee_name: str = ""
    deadline: str = ""
    """办理时限 in force: the plan's, or the 延期至 the 批办 leader approved."""
    extended_from: str = ""
    """The plan's 办理时限 when an approved 延期 moved it (shown as 已延期, 原 …)."""
    due_at: str = ""
    status: str = ""
    """pending 办理中, done 已办结, returned 已退回, cancelled."""
    result: str = ""
    """办理结果."""
    files: list[ResultFileView] = []
    """办理结果's 附件."""
    at: str = ""


class ReaderState(OutputModel):
    """One 传阅 reader: 已阅 with its time, and the 阅示."""

    user_id: str
    name: str = ""
    read_at: str = ""
    note: str = ""
    status: str = ""


class HandlingView(OutputModel):
    """拟办, 批办, 承办 and 传阅 of a 收文, as the 收文处理笺 shows them."""

    round: int = 1
    leader: str = ""
    leader_name: str = ""
    proposal: str = ""
    """拟办意见."""
    proposed_by: str = ""
    proposed_at: str = ""
    instruction: str = ""
    """领导批示."""
    instructed_at: str = ""
    handlers: list[HandlerState] = []
    readers: list[ReaderState] = []
    result: str = ""
    """主办's final 办理结果 (办结)."""
    checked_by: str = ""
    checked_at: str = ""
    archive_code: str = ""
    archived_at: str = ""
    replies: list[str] = []
    """发文 replies started from this 收文 (their document ids)."""
    extensions: list[dict[str, str]] = []


IncomingView.model_rebuild()
