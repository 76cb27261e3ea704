"""Pydantic models of 发文 at the edges: a draft, edits, a revision, the document's views."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from oa_core.outgoing.attachments import RESERVED_ID, AttachmentsView, normalise_note
from oa_core.outgoing.doctypes import (
    ACCEPTED_CLASSIFICATIONS,
    CLASSIFIED_REFUSAL,
    OPTIONAL_MAIN_RECIPIENTS,
    DocType,
)
from oa_core.platform.fields import MULTI_LINE, SINGLE_LINE, multi_line, single_line
from oa_core.platform.models import MAX_LIST, OutputModel, StrictModel, Urgency, UserId
from oa_core.workflow.models import DecisionRequest, HistoryEntry, Opinion

Recipient = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    SINGLE_LINE,
    single_line(1, 100, "机关或部门名称："),
]


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    SINGLE_LINE,
    single_line(1, 200, "标题："),
]


Body = Annotated[str, StringConstraints(min_length=1, max_length=50_000), MULTI_LINE, multi_line(1, 50_000, "正文：")]


CountersignMode = Literal["parallel", "serial"]

MAX_CO_ISSUERS = 5
"""联合行文: co-issuing units a document may name besides the 主办机关."""
FORMAT_FIELDS = frozenset(
    {"letter_format", "co_issuers", "sealed", "remarks", "signer_title", "attendees", "on_leave", "observers"}
)
"""The draft's 版式 fields (GB/T 9704 §7.3.5, §7.3.6, §10), stored on the document as drafted."""
"""联合行文: co-issuing units a document may name besides the 主办机关."""


def _check_classification(value: str) -> str:
    if value.strip() not in ACCEPTED_CLASSIFICATIONS:
        raise ValueError(CLASSIFIED_REFUSAL)
    return value.strip()


def _check_unique(values: list[str], label: str) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError(f"{label}有重复项")
    return values


class DocumentContent(StrictModel):
    """The text elements of a document (公文要素) that a drafter writes and a reviewer may edit."""

    title: Title
    body: Body
    main_recipients: Annotated[
        list[Recipient],
        Field(max_length=MAX_LIST, description="主送机关：至少一个，公告、通告、命令、纪要可以为空"),
    ]
    cc: Annotated[list[Recipient], Field(max_length=MAX_LIST)] = []
    urgency: Urgency = ""


class DraftSubmission(DocumentContent):
    """拟稿: a drafter's submission of a new outgoing document (发文)."""

    doc_type: DocType
    classification: Annotated[
        str, StringConstraints(max_length=20), Field(description='密级：只接受 "" 或 "非密"。')
    ] = ""
    attachment_note: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=500), MULTI_LINE, multi_line(0, 500, "附件说明：")
    ] = ""
    """附件说明 without its label (a leading 附件： is dropped), one attachment a line; generated from the
    uploaded attachments when there are any."""
    document_id: (
        Annotated[
            str,
            StringConstraints(pattern=RESERVED_ID.pattern),
            Field(description="the id the draft's attachments were uploaded under (POST …/attachments/uploads)"),
        ]
        | None
    ) = None
    reviewer: UserId
    countersigners: Annotated[list[UserId], Field(max_length=20)] = []
    countersign_mode: CountersignMode = "parallel"
    signer: UserId
    distribute_to: Annotated[list[Recipient], Field(max_length=MAX_LIST)] = []
    letter_format: Annotated[
        bool | None,
        Field(description="信函格式：true 按信函印制，false 按文件格式；不填则按文种（函为信函）。Letter format."),
    ] = None
    """信函格式 (GB/T 9704 §10.1): true for any document printed as a letter, false for the 文件格式; unset
    follows the 文种 (函 are letters). 命令 and 纪要 have formats of their own."""
    co_issuers: Annotated[
        list[Recipient],
        Field(max_length=MAX_CO_ISSUERS, description="联合行文的其他发文机关，按顺序。Co-issuing units."),
    ] = []
    """联合行文: the co-issuing units after the drafting unit (the 主办机关), in order."""
    sealed: Annotated[bool, Field(description="false 为不加盖印章的版式。false: printed without a seal.")] = True
    """false: 不加盖印章 (§7.3.5.2). 纪要 carry no seal and 命令 a 签名章 whatever this says."""
    remarks: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=200),
        SINGLE_LINE,
        single_line(0, 200, "附注："),
        Field(description="附注，不含圆括号，一行，至多 200 字。A note, one line."),
    ] = ""
    """附注 (§7.3.6) without its 圆括号, e.g. 联系人：王明，电话：……"""
    signer_title: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=50),
        SINGLE_LINE,
        single_line(0, 50, "签发人职务："),
        Field(description="命令：签发人职务，如 市长。The signer's title (命令 only)."),
    ] = ""
    """命令: the 签发人's 职务 (e.g. 市长) before the 签名章."""
    attendees: Annotated[list[Recipient], Field(max_length=MAX_LIST, description="纪要：出席人员。Present.")] = []
    """纪要: 出席 (unit and name, one an entry); on_leave: 请假; observers: 列席."""
    on_leave: Annotated[list[Recipient], Field(max_length=MAX_LIST, description="纪要：请假人员。On leave.")] = []
    observers: Annotated[list[Recipient], Field(max_length=MAX_LIST, description="纪要：列席人员。Observers.")] = []

    _classification = field_validator("classification")(_check_classification)
    _attachment_note = field_validator("attachment_note")(normalise_note)

    @field_validator("countersigners")
    @classmethod
    def _unique_countersigners(cls, value: list[str]) -> list[str]:
        return _check_unique(value, "会签人")

    @field_validator("distribute_to")
    @classmethod
    def _unique_distribution(cls, value: list[str]) -> list[str]:
        return _check_unique(value, "分发范围")

    @field_validator("co_issuers")
    @classmethod
    def _unique_co_issuers(cls, value: list[str]) -> list[str]:
        return _check_unique(value, "联合发文机关")

    @model_validator(mode="after")
    def _rules_of_the_regulation(self) -> DraftSubmission:
        if not self.main_recipients and self.doc_type not in OPTIONAL_MAIN_RECIPIENTS:
            raise ValueError(f"请填写主送机关（{self.doc_type}须有主送机关，公告、通告、命令、纪要可不写）")
        if self.doc_type == "请示" and len(self.main_recipients) != 1:
            raise ValueError("请示应当一文一事，只能有一个主送机关")
        if self.doc_type != "命令" and self.signer_title:
            raise ValueError("签发人职务只用于命令（令）")
        if self.doc_type != "纪要" and (self.attendees or self.on_leave or self.observers):
            raise ValueError("出席、请假、列席人员名单只用于纪要")
        if self.letter_format and self.doc_type in ("命令", "纪要"):
            raise ValueError("命令、纪要有各自的格式，不能按信函格式印制")
        return self


_Short = Annotated[str, StringConstraints(max_length=100)]


class DraftCheckRequest(BaseModel):
    """拟稿检查: a draft as far as it is written (every field may be empty); a DraftSubmission's other fields
    (countersigners, distribute_to…) are accepted and ignored, so the body to be submitted can be checked as is."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    doc_type: Annotated[str, StringConstraints(max_length=10), Field(description="文种（15 种之一；可空）")] = ""
    title: Annotated[str, StringConstraints(max_length=200), Field(description="标题")] = ""
    body: Annotated[str, StringConstraints(max_length=50_000), Field(description="正文")] = ""
    main_recipients: Annotated[list[_Short], Field(max_length=MAX_LIST, description="主送机关")] = []
    cc: Annotated[list[_Short], Field(max_length=MAX_LIST, description="抄送机关")] = []
    attachment_note: Annotated[str, StringConstraints(max_length=500), Field(description="附件说明")] = ""
    classification: Annotated[str, StringConstraints(max_length=20), Field(description="密级")] = ""
    reviewer: Annotated[str, StringConstraints(max_length=64), Field(description="核稿人")] = ""
    signer: Annotated[str, StringConstraints(max_length=64), Field(description="签发人")] = ""


class DraftFinding(OutputModel):
    level: Literal["error", "warning"]
    """error: 必须修改 (blocks submission on the 拟稿 page); warning: 建议."""
    field: str
    message: str
    found: str = ""
    """What was written, as it stands in ``field`` (empty when the finding is about the whole field)."""
    suggestion: str = ""
    """What to write instead of ``found``; empty: delete it, or no mechanical fix."""


class DraftCheckResult(OutputModel):
    """拟稿检查's answer: 字数, the findings, and whether nothing blocks submission."""

    word_count: int
    checks: list[DraftFinding]
    ok: bool


class ContentEdits(StrictModel):
    """Changed fields of a document: a drafter's revision (修改) or a reviewer's edits (核稿修改)."""

    title: Title | None = None
    body: Body | None = None
    main_recipients: Annotated[list[Recipient], Field(min_length=1, max_length=MAX_LIST)] | None = None
    cc: Annotated[list[Recipient], Field(max_length=MAX_LIST)] | None = None
    urgency: Urgency | None = None

    def changed(self) -> dict[str, object]:
        return self.model_dump(exclude_none=True)


class RevisionRequest(ContentEdits):
    """修改稿: the drafter's revision after a return; it goes back to review."""

    note: Opinion = ""


class Annotation(StrictModel):
    """批注: a remark on a passage of the text, made by a decider."""

    quote: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), MULTI_LINE, multi_line(1, 200)
    ]
    note: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MULTI_LINE, multi_line(1, 500)
    ]


class DocumentDecision(DecisionRequest):
    """核稿, 会签, 签发: a decider's decision on a document, with the reviewer's edits (核稿修改) and 批注."""

    edits: ContentEdits | None = None
    annotations: Annotated[list[Annotation], Field(max_length=30)] = []

    @model_validator(mode="after")
    def _edits_only_with_approval(self) -> DocumentDecision:
        if self.edits is not None and self.decision != "approve":
            raise ValueError("只有同意时才能附带修改 (edits go with approve only)")
        return self


class DocumentCreated(OutputModel):
    document_id: str
    status: str


class VersionAttachment(OutputModel):
    """附件 as a version had it (what its 痕迹 compares)."""

    no: int
    title: str
    filename: str
    size: int
    sha256: str


class VersionView(OutputModel):
    version: int
    author: str
    at: str
    reason: str
    title: str
    body: str
    main_recipients: list[str]
    cc: list[str]
    urgency: str
    diff: str = ""
    word_count: int
    attachments: list[VersionAttachment] = []


class CountersignState(OutputModel):
    user_id: str
    name: str
    state: Literal["waiting", "pending", "approved", "returned", "rejected", "cancelled"]
    opinion: str = ""
    at: str = ""


class DeliveryView(OutputModel):
    recipient: str
    channel: Literal["internal", "external"]
    status: str
    at: str
    received_by: str = ""
    received_at: str = ""
    attempts: int = 0
    """对外发送: attempts so far, the last error, when the next attempt is due, the receipt."""
    last_error: str = ""
    next_attempt_at: str = ""
    receipt: str = ""
    via: str = ""
    concluded_number: str = ""
    """办结回执: the receiver's 收文编号 and when it concluded our document (empty until it says so)."""
    concluded_at: str = ""
    concluded: str = ""
    """The same in words: 「已办结（对方收文编号 收〔2026〕3号，2026年12月2日）」."""


class DocumentView(OutputModel):
    document_id: str
    in_reply_to: str = ""
    """The 收文 this 发文 answers (a reply started from it), and its 来文字号."""
    reply_to_number: str = ""
    status: str
    current_step: str
    number: str | None
    pending: list[str]
    history: list[HistoryEntry]
    versions: list[VersionView]
    doc_type: str
    title: str
    body: str
    main_recipients: list[str]
    cc: list[str]
    urgency: str
    classification: str
    drafter: str
    drafter_department: str
    reviewer: str
    countersigners: list[str]
    countersign_mode: str
    countersign: list[CountersignState]
    signer: str
    distribute_to: list[str]
    deliveries: list[DeliveryView]
    word_count: int
    created_at: str
    attachment_note: str = ""
    letter_format: bool | None = None
    co_issuers: list[str] = []
    sealed: bool = True
    remarks: str = ""
    signer_title: str = ""
    attendees: list[str] = []
    on_leave: list[str] = []
    observers: list[str] = []
    attachments: AttachmentsView | None = None
    sign_date: str | None = None
    archive_key: str | None = None
    pdf_sha256: str | None = None
    """印制: the sealed GB/T 9704 PDF's SHA-256, once typeset (GET /api/documents/{id}/pdf)."""
    ofd_sha256: str | None = None
    """印制: the sealed OFD's SHA-256, typeset beside the PDF (GET /api/documents/{id}/ofd)."""
    failed_step: str | None = None
    failure_reason: str | None = None
