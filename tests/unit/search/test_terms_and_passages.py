"""检索's pure parts: segmentation, normalisation of 发文字号, ranking, passages escaped and marked,
and the text of PDF and Word attachments."""

from __future__ import annotations

import io
import zipfile

import pytest

from oa_core.platform.errors import InvalidInput
from oa_core.search import extraction, passages, terms
from oa_core.search.query import rank
from oa_core.search.storage import PostingItem


def test_a_long_word_is_indexed_with_the_words_inside_it() -> None:
    words = terms.words("关于开展公共安全检查工作的通知")
    assert {"安全", "检查", "安全检查", "通知"} <= set(words)
    assert "的" not in words


def test_spaced_and_unspaced_queries_and_a_two_character_one_ask_for_the_same_finest_words() -> None:
    assert terms.query_terms("安全检查") == ["安全", "检查"]
    assert terms.query_terms("安全 检查") == ["安全", "检查"]
    assert terms.query_terms("  安全  ") == ["安全"]
    assert terms.query_terms("") == []


@pytest.mark.parametrize(
    "spelling",
    [
        "示例办发〔2026〕7号",
        "示例办发[2026]7号",
        "示例办发(2026)7号",
        "示例办发（2026）7号",
        "示例办发（２０２６）７号",
        "示例办发〔2026〕07号",
    ],
)
def test_every_common_spelling_of_a_number_is_one_term(spelling: str) -> None:
    assert terms.query_terms(spelling) == ["#示例办发〔2026〕7号"]
    assert "#示例办发〔2026〕7号" in terms.field_terms({"number": "示例办发〔2026〕7号"})["number"]


def test_full_width_letters_and_digits_match_half_width_ones() -> None:
    assert terms.words("ＡＢＣ２０２６") == terms.words("abc2026")


def test_a_passage_escapes_everything_but_its_marks() -> None:
    text = "<script>alert(1)</script> 本次安全检查由办公室组织 & 各科室参加"
    shown = passages.passage(text, ["安全", "检查"])
    assert shown is not None
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "&amp;" in shown
    assert "<mark>安全检查</mark>" in shown  # adjacent hits merge into one mark


def test_a_passage_is_cut_around_the_first_hit() -> None:
    text = "甲" * 300 + "安全检查" + "乙" * 300
    shown = passages.passage(text, ["安全"])
    assert shown is not None and shown.startswith("…") and shown.endswith("…")
    assert len(shown) < 250 and "<mark>安全</mark>" in shown
    assert passages.passage(text, ["无关"]) is None


def test_a_number_query_marks_the_whole_number() -> None:
    assert passages.mark("示例办发〔2026〕7号", ["#示例办发〔2026〕7号"]) == "<mark>示例办发〔2026〕7号</mark>"


def _posting(doc: str, weight: float, date: str, length: int = 100) -> PostingItem:
    return PostingItem("archive#t", f"{date}#{doc}", d=doc, w=weight, dl=length, f="b")


def test_ranking_keeps_documents_holding_every_term_best_first_then_newest() -> None:
    lists = {
        "安全": [_posting("A", 1, "2026-01-01"), _posting("B", 5, "2026-01-01"), _posting("C", 1, "2026-03-01")],
        "检查": [_posting("A", 1, "2026-01-01"), _posting("B", 5, "2026-01-01"), _posting("C", 1, "2026-03-01")],
        "其他": [],
    }
    assert rank({k: v for k, v in lists.items() if v}, 100, 100.0)[0][2].d == "B"
    order = [hit[2].d for hit in rank({k: v for k, v in lists.items() if v}, 100, 100.0)]
    assert order == ["B", "C", "A"]  # equal scores: the newer first
    assert rank(lists, 100, 100.0) == []


def test_a_word_of_the_title_outweighs_the_same_word_in_the_body() -> None:
    assert terms.FIELD_WEIGHTS["title"] > terms.FIELD_WEIGHTS["body"]


def _docx(*paragraphs: str) -> bytes:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    table = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格中的安全检查</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    xml = f'<?xml version="1.0"?><w:document xmlns:w="{ns}"><w:body>{body}{table}</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def test_a_word_files_paragraphs_and_table_cells_are_its_text() -> None:
    text = extraction.attachment_text("测算依据.docx", _docx("第一段", "开展安全检查"))
    assert text.split("\n") == ["第一段", "开展安全检查", "表格中的安全检查"]


def test_a_pdfs_page_text_is_its_text() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Annual safety inspection plan")
    text = extraction.attachment_text("plan.pdf", bytes(pdf.output()))
    assert "safety inspection" in text


def test_an_unreadable_file_says_so_and_other_types_have_no_text() -> None:
    with pytest.raises(InvalidInput, match="无法读取"):
        extraction.attachment_text("坏.pdf", b"%PDF-1.7 garbage")
    assert extraction.attachment_text("图.png", b"\x89PNG\r\n\x1a\n") == ""
