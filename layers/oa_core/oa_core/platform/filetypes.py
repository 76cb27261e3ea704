"""附件的真实类型: what a file is, judged from its bytes (magic numbers and, for ZIP containers, the
members that make a format), never from its name.

Accepted: PDF, OFD (GB/T 33190: a ZIP with ``OFD.xml`` at its root), DOCX and XLSX (OOXML: a ZIP with
``[Content_Types].xml`` and ``word/`` or ``xl/``), DOC and XLS (an OLE compound file), JPEG, PNG, and a
ZIP whose every member is one of those (one level: a ZIP inside the ZIP is refused). Anything else is
``None``. A small sniffer of our own rather than ``filetype``/``puremagic``: those know hundreds of
formats by their first bytes, but none tells DOCX from XLSX from OFD from a plain ZIP (all ``PK``),
and that is the distinction the office needs (decision in docs/decisions.md).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    """One accepted kind of file: its name for people, MIME type, the extensions it may carry."""

    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]
    inline: bool
    """Shown in the browser (PDF, images) rather than downloaded."""


PDF = FileKind("pdf", "PDF 文档", "application/pdf", (".pdf",), True)
OFD = FileKind("ofd", "OFD 版式文档", "application/ofd", (".ofd",), False)
DOCX = FileKind(
    "docx", "Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), False
)
XLSX = FileKind(
    "xlsx", "Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), False
)
OLE = FileKind("ole", "Word/Excel 97-2003 文档", "application/octet-stream", (".doc", ".xls"), False)
JPEG = FileKind("jpeg", "JPEG 图片", "image/jpeg", (".jpg", ".jpeg"), True)
PNG = FileKind("png", "PNG 图片", "image/png", (".png",), True)
ZIP = FileKind("zip", "ZIP 压缩包", "application/zip", (".zip",), False)

KINDS: tuple[FileKind, ...] = (PDF, OFD, DOCX, XLSX, OLE, JPEG, PNG, ZIP)
EXTENSIONS: dict[str, FileKind] = {ext: kind for kind in KINDS for ext in kind.extensions}
OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel"}
ACCEPTED_TEXT = "PDF、OFD、Word（.docx/.doc）、Excel（.xlsx/.xls）、JPEG、PNG 图片，或只含这些文件的 ZIP 压缩包"

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MEMBERS_MAX = 1000
_ZIP_MEMBER_BYTES_MAX = 200 * 1024 * 1024
"""A member that unpacks beyond this is refused unread (a ZIP bomb)."""


def extension_of(filename: str) -> str:
    """The name's extension, lower case with its dot (``.pdf``), or ``""``."""
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


def kind_for_name(filename: str) -> FileKind | None:
    return EXTENSIONS.get(extension_of(filename))


def content_type_for(filename: str) -> str:
    """The MIME type a file of this name is uploaded and served with (DOC and XLS told apart by name)."""
    ext = extension_of(filename)
    kind = EXTENSIONS.get(ext)
    if kind is None:
        return "application/octet-stream"
    return OLE_TYPES.get(ext, kind.content_type)


def sniff(data: bytes, *, nested: bool = False) -> FileKind | None:
    """The kind of file these bytes are, or None when it is not one we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(_OLE_MAGIC):
        return OLE
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, nested=nested)
    return None


def _sniff_zip(data: bytes, *, nested: bool) -> FileKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    names = {info.filename for info in infos}
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return DOCX
        if any(name.startswith("xl/") for name in names):
            return XLSX
        return None  # PowerPoint or another OOXML package: not accepted
    if nested:
        return None  # a ZIP inside a ZIP
    files = [info for info in infos if not info.is_dir()]
    if not files or len(files) > _ZIP_MEMBERS_MAX:
        return None
    for info in files:
        if info.flag_bits & 0x1:  # encrypted: its content cannot be checked
            return None
        if kind_for_name(info.filename) is None or info.file_size > _ZIP_MEMBER_BYTES_MAX:
            return None
        try:
            member = archive.read(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError):
            return None
        inner = sniff(member, nested=True)
        if inner is None or not matches_name(inner, info.filename):
            return None
    return ZIP


def matches_name(kind: FileKind, filename: str) -> bool:
    """Do the bytes' kind and the name's extension agree?"""
    return extension_of(filename) in kind.extensions


def served(filename: str, data: bytes) -> tuple[str, str, bool]:
    """How a stored file is answered, judged by its bytes: (file name, MIME type, shown inline). A name whose
    extension says another kind (a scan named ``来文.pdf`` that is a PNG) gets the kind's own extension; bytes of
    no accepted kind go as ``application/octet-stream``, downloaded."""
    kind = sniff(data)
    if kind is None:
        return filename, "application/octet-stream", False
    if not matches_name(kind, filename):
        stem = filename[: filename.rfind(".")] if extension_of(filename) else filename
        filename = f"{stem or 'file'}{kind.extensions[0]}"
    return filename, OLE_TYPES.get(extension_of(filename), kind.content_type), kind.inline
