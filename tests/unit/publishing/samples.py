"""The typesetter tests' documents (a 通知, a 请示, a long multi-page 通知) and fake font metrics for layout tests."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from oa_core.publishing.document import OfficialDocument
from oa_core.publishing.grid import CHAR_PITCH, Char, Layout
from oa_core.publishing.layout import layout

FONT_SOURCE = Path("/usr/share/fonts/opentype/noto")
SOURCE_COLLECTIONS = ("NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc", "NotoSansCJK-Regular.ttc")
"""What the fonts layer's build extracts the typesetter's faces from (the `font_dir` fixture builds it)."""
MM_PER_PT = 25.4 / 72

needs_fonts = pytest.mark.skipif(
    not all((FONT_SOURCE / name).is_file() for name in SOURCE_COLLECTIONS),
    reason=f"Noto CJK collections not installed in {FONT_SOURCE} (Debian: fonts-noto-cjk; make font-deps)",
)


BODY = (
    "为切实做好2026年冬季安全生产工作，有效防范和坚决遏制各类生产安全事故发生，保障人民群众生命财产安全，"
    "经市人民政府同意，现将有关事项通知如下。\n"
    "\n"
    "一、总体要求\n"
    "坚持人民至上、生命至上，统筹发展和安全，压紧压实安全生产责任，全面排查整治各类风险隐患。\n"
    "（一）加强组织领导。各单位主要负责人要切实履行安全生产第一责任人职责，亲自部署、亲自检查。\n"
    "1．明确责任分工。按照“管行业必须管安全、管业务必须管安全、管生产经营必须管安全”的要求落实责任。\n"
    "（1）建立工作台账，实行销号管理。\n"
    "二、工作措施\n"
    "各区县人民政府、市政府各部门要在12月31日前完成自查自纠工作，并将工作情况报送市应急管理局。"
)


NOTICE = OfficialDocument(
    issuer_name="示例市人民政府办公室",
    doc_type="通知",
    number="示例办发〔2026〕7号",
    title="示例市人民政府办公室关于做好2026年冬季安全生产工作的通知",
    main_recipients=["各区县人民政府", "市政府各部门", "各直属机构"],
    body=BODY,
    sign_date=datetime.date(2026, 11, 25),
    signature="示例市人民政府办公室",
    attachment_note="2026年冬季安全生产检查表\n安全隐患排查整改台账",
    cc=["市委办公室", "市人大常委会办公室", "市政协办公室", "市纪委监委"],
    copy_no="000123",
    urgency="特急",
    seal_code="3F9A2C7D1E0B4A65",
)


REQUEST = replace(
    NOTICE,
    doc_type="请示",
    number="示例办〔2026〕12号",
    title="示例市人民政府办公室关于调整冬季供暖时间的请示",
    main_recipients=["示例省人民政府"],
    body="为应对今冬持续低温天气，保障群众温暖过冬，拟将我市供暖开始时间提前至11月1日。\n妥否，请批示。",
    signer_name="张三",
    attachment_note="",
    cc=[],
    copy_no="",
    urgency="",
)


def long_body() -> str:
    """60 paragraphs, with headings, numbers and many distinct characters (well over 255 glyphs)."""
    pool = "".join(chr(0x4E00 + 97 * i % 20000) for i in range(400))
    paragraphs = []
    for index in range(60):
        start = index * 7 % 350
        text = f"{pool[start : start + 40]}，第{index + 1}项工作于2026年完成。{pool[start + 40 : start + 70]}。"
        if index % 10 == 0:
            paragraphs.append(f"{'一二三四五六'[index // 10]}、第{index // 10 + 1}部分")
        paragraphs.append(text)
    return "\n".join(paragraphs)


LONG = replace(NOTICE, body=long_body(), attachment_note="", urgency="", copy_no="")


def fake_advance(face: str, ch: str) -> float:
    """Full-width characters one em, others half an em: the shape of the Noto CJK metrics."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5


def measured(text: str) -> list[Char]:
    return [Char(ch, "serif", fake_advance("serif", ch) * CHAR_PITCH) for ch in text]


def texts(lines_: list[list[Char]]) -> list[str]:
    return ["".join(ch.text for ch in line) for line in lines_]


def laid_out(doc: OfficialDocument) -> Layout:
    return layout(doc, fake_advance)


def paragraphs(count: int) -> str:
    """`count` one-line paragraphs."""
    return "\n".join("各单位要认真组织实施切实抓好落实" for _ in range(count))
