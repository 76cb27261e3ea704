"""附件文字: the text of a PDF or Word attachment, for the index (what a later 附件 upload hands to
indexing.index_attachment_text)."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from oa_core.platform.errors import InvalidInput

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_PAGES = 200
"""Pages of a PDF read for its text: a long annex's first pages carry its words well enough."""


def pdf_text(data: bytes) -> str:
    """Text of a PDF's pages (pypdf, the PDF layer's reader), one page a paragraph."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PAGES])
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("无法读取该 PDF 文件的文字 (unreadable PDF)") from exc


def docx_text(data: bytes) -> str:
    """Text of a .docx: its paragraphs and table cells in document order, read from word/document.xml
    (the OOXML part every Word and WPS file has; no Word library needed just to read text)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml")
        root = ElementTree.fromstring(xml)  # noqa: S314 - the part is parsed without entities or DTDs
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise InvalidInput("无法读取该 Word 文件的文字 (unreadable .docx)") from exc
    paragraphs = []
    for paragraph in root.iter(f"{_W}p"):
        text = "".join(node.text or "" for node in paragraph.iter() if node.tag in (f"{_W}t", f"{_W}tab"))
        if text.strip():
            paragraphs.append(text)
    return "\n".join(paragraphs)


def attachment_text(name: str, data: bytes) -> str:
    """The text of an attachment by its real type (the bytes, not the name); other types have none."""
    if data[:5] == b"%PDF-":
        return pdf_text(data)
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                is_docx = "word/document.xml" in archive.namelist()
        except zipfile.BadZipFile:
            return ""
        return docx_text(data) if is_docx else ""
    return ""
