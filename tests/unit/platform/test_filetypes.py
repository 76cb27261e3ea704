"""The attachment sniffer judges real files by their bytes, and refuses what is not one of the kinds."""

from __future__ import annotations

import pytest

from oa_core.platform import filetypes
from tests.support import sample_files as files


@pytest.mark.parametrize(
    ("data", "kind", "name"),
    [
        (files.pdf(), filetypes.PDF, "方案.pdf"),
        (files.docx(), filetypes.DOCX, "说明.docx"),
        (files.xlsx(), filetypes.XLSX, "测算表.xlsx"),
        (files.ofd(), filetypes.OFD, "公文.ofd"),
        (files.ole(), filetypes.OLE, "旧表.xls"),
        (files.ole(), filetypes.OLE, "旧稿.doc"),
        (files.png(), filetypes.PNG, "截图.png"),
        (files.jpeg(), filetypes.JPEG, "照片.JPG"),
        (files.zip_of({"a.pdf": files.pdf(), "b.xlsx": files.xlsx()}), filetypes.ZIP, "材料.zip"),
    ],
)
def test_each_accepted_kind_is_recognised_from_its_bytes_and_matches_its_name(
    data: bytes, kind: filetypes.FileKind, name: str
) -> None:
    assert filetypes.sniff(data) == kind
    assert filetypes.matches_name(kind, name)


@pytest.mark.parametrize(
    "data",
    [
        files.exe(),
        files.text(),
        b"",
        files.zip_of({"readme.txt": "hello"}),
        files.zip_of({"程序.pdf": files.exe()}),  # a member whose bytes are not what its name says
        files.zip_of({"inner.zip": files.zip_of({"a.pdf": files.pdf()})}),  # ZIP in a ZIP
        files.zip_of({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"}),  # PowerPoint
        b"PK\x03\x04 not really a zip",
    ],
    ids=["exe", "text", "empty", "zip-of-text", "zip-of-renamed-exe", "zip-in-zip", "pptx", "broken-zip"],
)
def test_anything_else_is_refused(data: bytes) -> None:
    assert filetypes.sniff(data) is None


def test_a_renamed_file_is_caught_by_its_extension_not_matching_its_bytes() -> None:
    assert not filetypes.matches_name(filetypes.sniff(files.pdf()) or filetypes.ZIP, "测算表.xlsx")
    assert not filetypes.matches_name(filetypes.sniff(files.docx()) or filetypes.PDF, "说明.xlsx")
    assert filetypes.sniff(files.exe()) is None  # 程序.exe renamed 方案.pdf: not a PDF at all


def test_content_types_follow_the_name_for_the_two_ole_kinds() -> None:
    assert filetypes.content_type_for("旧稿.doc") == "application/msword"
    assert filetypes.content_type_for("旧表.XLS") == "application/vnd.ms-excel"
    assert filetypes.content_type_for("方案.pdf") == "application/pdf"
    assert filetypes.kind_for_name("程序.exe") is None


def test_a_stored_file_is_served_as_the_kind_its_bytes_are_under_a_name_with_that_kinds_extension() -> None:
    assert filetypes.served("来文.pdf", files.pdf("scan")) == ("来文.pdf", "application/pdf", True)
    assert filetypes.served("来文扫描件.png", files.png()) == ("来文扫描件.png", "image/png", True)
    assert filetypes.served("来文.pdf", files.png()) == ("来文.png", "image/png", True)
    assert filetypes.served("示教发〔2026〕3号", files.jpeg()) == ("示教发〔2026〕3号.jpg", "image/jpeg", True)
    assert filetypes.served("来文.ofd", files.ofd()) == ("来文.ofd", "application/ofd", False)
    assert filetypes.served("来文.pdf", b"not a file") == ("来文.pdf", "application/octet-stream", False)
