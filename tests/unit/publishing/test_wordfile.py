"""The issued document as .docx: python-docx reads back every element in its GB/T 9704 face and size, and
LibreOffice (when installed) opens it and prints it to PDF."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.shared import Pt

from oa_core.publishing.document import OfficialDocument
from oa_core.publishing.wordfile import render_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

DOC = OfficialDocument(
    issuer_name="示例市教育局",
    doc_type="通知",
    number="示例教发〔2026〕7号",
    title="关于做好年终安全检查工作的通知",
    main_recipients=["各处室", "各直属单位"],
    body="为做好年终安全检查工作，现通知如下。\n一、总体要求。坚持安全第一。\n（一）消防安全\n1．消防通道\n特此通知。",
    sign_date=datetime.date(2026, 12, 2),
    signature="示例市教育局",
    attachment_note="安全检查表\n整改台账",
    cc=["市政府办公室", "市财政局"],
    printer="示例市教育局办公室",
)


def east_asian(run: object) -> str:
    return str(run._r.rPr.find(f"{W}rFonts").get(f"{W}eastAsia"))  # type: ignore[attr-defined]


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_page_margins_grid_and_line_pitch_follow_the_standard() -> None:
    document = read(render_docx(DOC))
    section = document.sections[0]
    sizes = (section.page_width, section.page_height)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in sizes if m is not None] == [210, 297]
    assert [round(m.mm) for m in margins if m is not None] == [37, 35, 28, 26]
    grid = section._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}linePitch") == "579"  # 28.95 pt: 22 lines in the 225 mm 版心
    spacing = document.styles["Normal"].element.rPr.find(f"{W}spacing")
    assert 28 * (16 + int(spacing.get(f"{W}val")) / 20) <= 156 / 25.4 * 72 < 29 * 16  # 28 characters a line
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16) and normal.paragraph_format.line_spacing == Pt(28.95)


def test_every_element_is_there_in_its_face() -> None:
    document = read(render_docx(DOC))
    texts = [p.text for p in document.paragraphs]
    assert "示例市教育局文件" in texts and "示例教发〔2026〕7号" in texts
    assert "各处室、各直属单位：" in texts
    assert "附件：1．安全检查表" in texts and "2．整改台账" in texts
    assert "2026年12月2日" in texts and "抄送：市政府办公室，市财政局。" in texts
    by_text = {p.text: p for p in document.paragraphs}
    title = by_text[DOC.title]
    assert east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    heading = by_text["一、总体要求。坚持安全第一。"]
    assert [east_asian(r) for r in heading.runs] == ["黑体", "仿宋_GB2312"]  # the heading's own sentence only
    assert east_asian(by_text["（一）消防安全"].runs[0]) == "楷体_GB2312"
    assert east_asian(by_text["1．消防通道"].runs[0]) == "仿宋_GB2312"
    mark = by_text["示例市教育局文件"].runs[0]
    assert str(mark.font.color.rgb) == "E60012"
    dated = by_text["2026年12月2日"].paragraph_format.left_indent.pt
    cell = 156 / 25.4 * 72 / 28
    width = 3 * cell + 7 * (cell - 8)  # 年月日 full-width, seven digits half-width
    assert dated + width == pytest.approx(24 * cell, abs=0.5)  # 右空四字, on Word's widths


def test_an_upward_document_puts_the_signer_beside_the_number() -> None:
    upward = OfficialDocument(**{**DOC.__dict__, "doc_type": "请示", "signer_name": "赵磊", "cc": []})
    texts = [p.text for p in read(render_docx(upward)).paragraphs]
    assert "示例教发〔2026〕7号\t签发人：赵磊" in texts


def test_page_numbers_are_fields_on_odd_and_even_pages() -> None:
    document = read(render_docx(DOC))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer in (section.footer, section.even_page_footer):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and "— " in footer.paragraphs[0].text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (it is optional)")
def test_libreoffice_opens_it_and_prints_it_to_pdf(tmp_path: Path) -> None:
    source = tmp_path / "issued.docx"
    source.write_bytes(render_docx(DOC))
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "issued.pdf").pages)
    assert "关于做好年终安全检查工作的通知" in text.replace("\n", "")
