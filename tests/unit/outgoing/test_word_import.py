"""从 Word 导入: .docx files made by python-docx and by LibreOffice (tests/data/word) read into the form's fields."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from oa_core.outgoing import wordimport
from oa_core.outgoing.wordimport import import_docx
from oa_core.platform.errors import DomainError
from oa_core.publishing.layout import heading_level

WORD = Path(__file__).resolve().parents[2] / "data" / "word"


def saved(document: object) -> bytes:
    out = io.BytesIO()
    document.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def notice_by_python_docx() -> bytes:
    d = docx.Document()
    title = d.add_paragraph("关于做好年终安全检查工作的通知")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].font.size = Pt(22)
    d.add_paragraph("各处室、各直属单位：")
    d.add_paragraph("　　为切实做好年终安全检查工作，现将有关事项通知如下。")
    d.add_heading("总体要求", 1)
    d.add_paragraph("坚持安全第一。")
    d.add_heading("三、检查内容", 1)  # a number typed into a heading is replaced by the counted one
    d.add_heading("消防安全", 2)
    d.add_heading("消防通道", 3)
    d.add_heading("楼梯间", 4)
    d.add_paragraph("(1)通道畅通。")
    table = d.add_table(rows=2, cols=3)
    for r, row in enumerate([["单位", "联系人", "电话"], ["办公室", "张伟", "12345"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("特此通知。")
    d.add_paragraph("附件：1. 安全检查表。")
    d.add_paragraph("2．整改台账")
    d.add_paragraph("示例市教育局").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph("2026年12月2日").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph("抄送：市政府办公室，市财政局。")
    return saved(d)


def test_a_python_docx_notice_fills_title_recipients_body_attachments_and_cc() -> None:
    found = import_docx(notice_by_python_docx())
    assert found.title == "关于做好年终安全检查工作的通知"
    assert found.main_recipients == ["各处室", "各直属单位"]
    assert found.body.split("\n") == [
        "为切实做好年终安全检查工作，现将有关事项通知如下。",
        "一、总体要求",
        "坚持安全第一。",
        "二、检查内容",
        "（一）消防安全",
        "1．消防通道",
        "（1）楼梯间",
        "（1）通道畅通。",
        "单位　联系人　电话",
        "办公室　张伟　12345",
        "特此通知。",
    ]
    assert found.attachment_note == "安全检查表\n整改台账"  # no 附件：, numbers or final punctuation (§7.3.4)
    assert found.cc == ["市政府办公室", "市财政局"]
    assert any("表格已转为文字" in w for w in found.warnings)
    assert any("落款和成文日期" in w for w in found.warnings)


def test_imported_headings_are_the_levels_the_typesetter_recognises() -> None:
    lines = import_docx(notice_by_python_docx()).body.split("\n")
    assert [heading_level(line) for line in lines[1:8]] == [1, 0, 1, 2, 3, 4, 4]


def test_the_title_style_is_the_title_and_heading_1_below_it_is_level_one() -> None:
    d = docx.Document()
    d.add_heading("关于印发工作要点的通知", 0)  # style Title
    d.add_paragraph("各科室：")
    d.add_heading("工作目标", 1)
    d.add_paragraph("完成年度任务。")
    found = import_docx(saved(d))
    assert found.title == "关于印发工作要点的通知"
    assert found.body == "一、工作目标\n完成年度任务。"
    assert found.warnings == []


def test_a_document_without_a_recognisable_title_says_so() -> None:
    d = docx.Document()
    d.add_paragraph("现将有关事项通知如下。")
    found = import_docx(saved(d))
    assert found.title == ""
    assert found.body == "现将有关事项通知如下。"
    assert any("标题" in w for w in found.warnings)


def test_tracked_insertions_are_kept_and_deletions_dropped() -> None:
    d = docx.Document()
    p = d.add_paragraph("保留")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    from lxml import etree  # type: ignore[import-untyped]

    p._p.append(etree.fromstring(f'<w:ins xmlns:w="{w}" w:id="1" w:author="a"><w:r><w:t>新增</w:t></w:r></w:ins>'))
    p._p.append(
        etree.fromstring(f'<w:del xmlns:w="{w}" w:id="2" w:author="a"><w:r><w:delText>删去</w:delText></w:r></w:del>')
    )
    assert import_docx(saved(d)).body == "保留新增"


def test_numbers_above_ten_are_written_in_chinese() -> None:
    assert [wordimport.chinese_number(n) for n in (1, 10, 11, 20, 23, 99)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十三",
        "九十九",
    ]
    assert [wordimport.heading_prefix(level, 12) for level in (1, 2, 3, 4)] == ["十二、", "（十二）", "12．", "（12）"]


# ---------------------------------------------------------------- LibreOffice's files


def test_libreoffice_html_notice_shifts_headings_below_the_h1_title() -> None:
    found = import_docx((WORD / "notice.docx").read_bytes())
    assert found.title == "关于开展冬季安全检查的通知"
    assert found.main_recipients == ["各处室", "各直属单位"]
    lines = found.body.split("\n")
    assert lines[1:6] == [
        "一、检查范围",
        "各单位办公场所、食堂和车辆。",
        "二、检查内容",
        "（一）消防安全",
        "重点检查消防通道、灭火器和应急照明。",
    ]
    assert "三、时间安排" in lines
    assert "自查　12月10日前　各处室" in lines
    assert lines[-1] == "特此通知。"
    assert found.attachment_note == "冬季安全检查表\n隐患整改台账"


def test_libreoffice_report_joins_a_two_line_title_and_reads_outline_levels() -> None:
    found = import_docx((WORD / "report.docx").read_bytes())
    assert found.title == "示例市教育局关于2026年安全工作情况的报告"
    assert found.main_recipients == ["市人民政府"]
    assert found.body.split("\n")[:5] == [
        "现将我局2026年安全工作情况报告如下。",
        "一、主要工作",
        "全年开展安全检查12次。",
        "（一）隐患排查",
        "（1）排查隐患36处，已全部整改。",
    ]
    assert "（一）继续加强检查。" in found.body  # the author's half-width (一) made full width
    assert found.attachment_note == "2026年安全检查情况统计表"
    assert found.cc == ["市应急管理局"]
    assert "示例市教育局\n" not in found.body and "2026年12月2日" not in found.body


# ---------------------------------------------------------------- refused


def refusal(data: bytes) -> DomainError:
    with pytest.raises(DomainError) as caught:
        import_docx(data)
    return caught.value


def test_pictures_are_refused_with_how_many() -> None:
    error = refusal((WORD / "pictures.docx").read_bytes())
    assert (error.status, error.code) == (422, "word_has_pictures")
    assert "2 张图片" in error.message


def test_an_old_doc_file_is_refused_with_save_as_docx() -> None:
    error = refusal((WORD / "report.doc").read_bytes())
    assert (error.status, error.code) == (422, "word_old_format")
    assert "另存为" in error.message and ".docx" in error.message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "word_missing"),
        (b"%PDF-1.7 not word", "word_not_docx"),
        (b"{\\rtf1 hello}", "word_old_format"),
        (b"PK\x03\x04" + b"\x00" * 40, "word_broken"),
    ],
)
def test_other_files_and_a_broken_zip_are_refused_with_a_4xx(data: bytes, code: str) -> None:
    error = refusal(data)
    assert 400 <= error.status < 500 and error.code == code
    assert error.message and "(" not in error.message


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert refusal(out.getvalue()).code == "word_not_docx"


def test_a_truncated_docx_is_refused_as_broken() -> None:
    assert refusal(notice_by_python_docx()[:-200]).code == "word_broken"


def test_a_file_over_the_limit_is_413() -> None:
    assert refusal(b"PK" + b"\x00" * wordimport.MAX_BYTES).status == 413


def test_only_drafters_may_import() -> None:
    with pytest.raises(DomainError) as caught:
        wordimport.import_for({"user_id": "x", "roles": ["signer"]}, notice_by_python_docx())
    assert caught.value.status == 403


def test_a_main_recipient_with_a_bracketed_list_stays_one_name() -> None:
    d = docx.Document()
    title = d.add_paragraph("关于做好冬季供暖工作的通知")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].font.size = Pt(22)
    d.add_paragraph("各县（市、区）人民政府，市直各部门：")
    d.add_paragraph("请做好冬季供暖工作。")
    found = import_docx(saved(d))
    assert found.main_recipients == ["各县（市、区）人民政府", "市直各部门"]
