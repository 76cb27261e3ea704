"""Pydantic models of 收文's edges: the exchange payload another unit's system sends, 登记's fields,
the events IncomingFlow sends its steps, and the views the API and pages show."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from oa_core.platform.models import OutputModel, StrictModel

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


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
    urgency: Literal["", "加急", "特急"] = ""
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
    """What IncomingFlow sends the incoming function: open a human step, or mark the 收文 failed."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, defer_build=True)
    action: Literal["open_task", "mark_failed"]
    incoming_id: str = Field(min_length=1, max_length=64)
    step: str = Field(default="", max_length=30)
    task_token: str | None = Field(default=None, repr=False)
    execution_started_at: AwareDatetime | None = None
    timeout_seconds: int | None = Field(default=None, ge=1)
    error: dict[str, object] | None = None


class IncomingRegistration(StrictModel):
    """登记: what the 文书 checks or completes before the 收文编号 is taken (every field optional: the
    received values stand when left out)."""

    sender: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    sender_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    urgency: Literal["", "加急", "特急"] | None = None
    classification: str | None = None
    copies: Annotated[int, Field(ge=1, le=999)] | None = None
    deadline: str | None = None
    """办理时限, a date YYYY-MM-DD."""

    @field_validator("classification")
    @classmethod
    def _not_classified(cls, value: str | None) -> str | None:
        if value not in (None, "", "非密"):
            raise ValueError("涉密公文不得在本系统处理")
        return value

    @field_validator("deadline")
    @classmethod
    def _a_date(cls, value: str | None) -> str | None:
        if value not in (None, "") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
            raise ValueError("办理时限请填写日期，如 2026-12-31")
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
    seal: SealCheck
    pending: list[str] = []
    history: list[dict[str, str]] = []


class ExchangeAccepted(OutputModel):
    receipt_id: str
