"""附件: the model of a document's attachments, without storage: names, titles, the 附件说明 they make,
the requests that change them and the views people read.

A document's attachments are an ordered list of entries (``storage.AttachmentEntry``): each a number
given once (``no``, the ``{n}`` of its routes, never reused), a title (附件名称), the file's name, its
kind as judged from the bytes (platform.filetypes), size and SHA-256, and the S3 object it is. The list
lives in the document's partition (``ATTACHMENTS``) from the first upload on, even before the draft is
submitted; once the document exists, every change is also a new version (痕迹) holding the list as it
became. outgoing.uploads does the storing; this module decides what is valid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Annotated

from pydantic import Field, StringConstraints

from oa_core.identity import directory
from oa_core.outgoing.diffing import size_text
from oa_core.outgoing.storage import AttachmentsItem
from oa_core.platform import filetypes
from oa_core.platform.config import settings
from oa_core.platform.errors import NotFound
from oa_core.platform.fields import SINGLE_LINE, single_line
from oa_core.platform.models import OutputModel, StrictModel

_LABEL = re.compile(r"^(?:\s*附\s*件\s*[：:]\s*)+")
_FINAL_PUNCTUATION = "。．.，,；;、：:！!？?"
MAX_TITLE = 100
MAX_FILENAME = 120
UPLOAD_ID_PATTERN = r"^[0-9a-f]{32}$"
RESERVED_ID = re.compile(r"^\d{8}-[0-9a-f]{10}$")
"""The shape of a document id (outgoing.documents.new_document_id): a draft's attachments reserve one."""


def number_of(text: str) -> int:
    """The ``{n}`` of an attachment route as its number; anything else (letters, ``-1``, ``²``, a number
    too long to be one) names no attachment: 404 with a message, never 422 or 500."""
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise NotFound("没有这个附件，或它已被删除。", code="attachment_unknown")
    return int(text)


def clean_filename(name: str) -> str:
    """A file's name safe to keep and to send back: no folders (``/``, ``\\``), no control or format
    characters, Chinese kept, at most ``MAX_FILENAME`` characters with the extension kept."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    base = base.strip().strip(".").strip() or "附件"
    if len(base) > MAX_FILENAME:
        dot = base.rfind(".")
        ext = base[dot:] if dot > 0 and len(base) - dot <= 10 else ""
        base = base[: MAX_FILENAME - len(ext)] + ext
    return base


def clean_title(title: str) -> str:
    """附件名称 as GB/T 9704 7.3.4 wants it: no label 附件：, no final punctuation."""
    text = _LABEL.sub("", title.strip())
    return text.rstrip(_FINAL_PUNCTUATION + " ").strip()


def title_from_filename(filename: str) -> str:
    dot = filename.rfind(".")
    stem = filename[:dot] if dot > 0 else filename
    return clean_title(stem)[:MAX_TITLE] or "附件"


_FIRST_NUMBER = re.compile(r"^1\s*[.．、](?!\d)\s*")


def normalise_note(note: str) -> str:
    """A typed 附件说明 as the typesetter takes it: one attachment a line, without the label it prints itself
    (the form's hint once led to 「附件：附件：1. …」), without final punctuation on any line, and one
    attachment unnumbered (GB/T 9704-2012 7.3.4); several keep the numbers written, or get them printed."""
    lines = [clean_title(line) for line in (note or "").replace("\r\n", "\n").split("\n")]
    items = [line for line in lines if line]
    if len(items) == 1:
        items[0] = _FIRST_NUMBER.sub("", items[0])
    return "\n".join(items)


def note_for(titles: Sequence[str]) -> str:
    """附件说明 of these attachments, without its label: one is its title; several are numbered
    ``1. 标题`` one a line (GB/T 9704-2012 7.3.4: 附件：1. XXXXX, no final punctuation)."""
    cleaned = [clean_title(t) for t in titles if clean_title(t)]
    if len(cleaned) <= 1:
        return "".join(cleaned)
    return "\n".join(f"{index}. {title}" for index, title in enumerate(cleaned, start=1))


def appendix_label(position: int, count: int) -> str:
    """The label over an attachment's first page in the issued PDF (GB/T 9704-2012 §8): 「附件」 alone when the
    附件说明 lists one, else 「附件N」 with its place in that list (so a PDF after a workbook is 附件2)."""
    return "附件" if count <= 1 else f"附件{position}"


def caption(note: str) -> str:
    """The 附件说明 as printed and shown: 附件：… (empty when there is none)."""
    return f"附件：{note}" if note.strip() else ""


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE),
    SINGLE_LINE,
    single_line(1, MAX_TITLE, "附件名称："),
]
FileName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    Field(description="the file's name as chosen; its extension must match its content"),
]
UploadToken = Annotated[str, StringConstraints(pattern=UPLOAD_ID_PATTERN), Field(description="upload from …/uploads")]


class UploadRequest(StrictModel):
    """A file the drafter is about to upload: its name (and size, when the browser knows it)."""

    filename: FileName
    size: Annotated[int, Field(ge=0)] | None = None


class UploadTicket(OutputModel):
    """A presigned POST: the browser sends ``fields`` and then the file (field ``file``) to ``url``."""

    upload: str
    url: str
    fields: dict[str, str]
    content_type: str
    max_bytes: int
    expires_at: str


class AttachRequest(StrictModel):
    """Attach an uploaded file: the upload's token and, optionally, its title (else from the file's name)."""

    upload: UploadToken
    title: Title | None = None


class ReorderRequest(StrictModel):
    """The attachments' numbers (``no``) in their new order; ``rev`` as last read refuses a stale order."""

    order: Annotated[list[int], Field(min_length=1, max_length=100)]
    rev: int | None = None


class ChangeRequest(StrictModel):
    """A new title, or a new file (an upload's token) in the attachment's place, or both."""

    title: Title | None = None
    upload: UploadToken | None = None
    rev: int | None = None


class AttachmentView(OutputModel):
    no: int
    position: int
    title: str
    filename: str
    kind: str
    kind_label: str
    content_type: str
    size: int
    size_text: str
    sha256: str
    uploaded_by: str
    uploaded_at: str
    inline: bool
    """Opened in the browser (PDF, images); anything else downloads."""


class AttachmentsView(OutputModel):
    document_id: str
    rev: int
    attachment_note: str
    """附件说明 without its label, as generated from the titles."""
    items: list[AttachmentView]
    max_count: int
    max_bytes: int


def view(document_id: str, held: AttachmentsItem | None) -> AttachmentsView:
    """The list as people read it (names, not ids), with the 附件说明 it makes."""
    entries = list(held.entries or []) if held is not None else []
    people = directory.get_users(list({str(e.uploaded_by) for e in entries}))
    kinds = {k.key: k for k in filetypes.KINDS}
    return AttachmentsView(
        document_id=document_id,
        rev=int(held.rev) if held else 0,
        attachment_note=note_for([str(e.title) for e in entries]),
        items=[
            AttachmentView(
                no=int(e.no),
                position=position,
                title=e.title,
                filename=e.filename,
                kind=e.kind,
                kind_label=kinds[e.kind].label if e.kind in kinds else e.kind,
                content_type=e.content_type,
                size=int(e.size),
                size_text=size_text(int(e.size)),
                sha256=e.sha256,
                uploaded_by=directory.display_name(str(e.uploaded_by), people),
                uploaded_at=e.uploaded_at,
                inline=bool(kinds.get(e.kind) and kinds[e.kind].inline),
            )
            for position, e in enumerate(entries, start=1)
        ],
        max_count=settings().attachment_max_count,
        max_bytes=settings().attachment_max_bytes,
    )
