"""公文要素: the official document as the typesetter takes it, a plain value with all text final.

Owns `OfficialDocument` (and the `Appendix` pages it carries), the 紧急程度 the standard allows and how a date is
written on the page. Imports nothing of the typesetter, so callers (outgoing.printing) can build one cheaply.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

URGENCIES = frozenset({"", "加急", "特急", "平急", "特提"})
FORMATS = ("文件", "信函", "命令", "纪要")
"""版式 (§7 文件格式, §10 特定格式): 文件格式, 信函格式, 命令（令）格式, 纪要格式."""


@dataclass(frozen=True)
class Appendix:
    """附件 appended after the 正文 (GB/T 9704-2012 §8): its label as printed (「附件2」, 「附件」 when the 附件说明
    lists one) and how many pages of its PDF follow."""

    label: str
    page_count: int


@dataclass(frozen=True)
class OfficialDocument:
    """公文: what the typesetter needs (all text already final)."""

    issuer_name: str  # 发文机关标志 is issuer_name + "文件"
    doc_type: str  # 文种
    number: str  # 发文字号, e.g. "示例办发〔2026〕7号"
    title: str  # 标题
    main_recipients: list[str]  # 主送机关
    body: str  # 正文, paragraphs separated by "\n"; blank lines ignored
    sign_date: datetime.date  # 成文日期
    signature: str  # 发文机关署名
    signer_name: str = ""  # 签发人 (shown for 上行文 请示/报告); several names separated by 、
    attachment_note: str = ""  # 附件说明, one attachment a line
    cc: list[str] = field(default_factory=list)  # 抄送
    printer: str = ""  # 印发机关; the signature if empty
    print_date: datetime.date | None = None  # 印发日期; the sign date if None
    copy_no: str = ""  # 份号
    urgency: str = ""  # 紧急程度
    seal_text: str = ""  # text on the seal's upper arc; the signature if empty
    seal_code: str = ""  # short code printed small under the seal's star
    appendices: tuple[Appendix, ...] = ()  # PDF 附件 appended after the 正文, before the 版记
    format: str = ""  # 版式, one of FORMATS; "" follows the 文种 (函 信函, 命令 命令, 纪要 纪要, others 文件)
    co_issuers: tuple[str, ...] = ()  # 联合行文: the co-issuing units after the 主办机关 (issuer_name), in order
    sealed: bool = True  # False: 不加盖印章 (§7.3.5.2); 纪要 never carry a seal, 命令 a 签名章 instead
    remarks: str = ""  # 附注 (§7.3.6) without its 圆括号
    signer_title: str = ""  # 命令: 签发人职务 before the 签名章
    attendees: tuple[str, ...] = ()  # 纪要: 出席
    on_leave: tuple[str, ...] = ()  # 纪要: 请假
    observers: tuple[str, ...] = ()  # 纪要: 列席

    @property
    def layout_format(self) -> str:
        """The 版式 the document is typeset in."""
        if self.format:
            if self.format not in FORMATS:
                raise ValueError(f"版式只能是文件、信函、命令或纪要 (unknown format): {self.format!r}")
            return self.format
        return {"函": "信函", "命令": "命令", "纪要": "纪要"}.get(self.doc_type, "文件")

    @property
    def issuers(self) -> tuple[str, ...]:
        """发文机关, the 主办机关 first."""
        return (self.issuer_name, *self.co_issuers)


def chinese_date(value: datetime.date) -> str:
    """成文日期 as §7.3.5 writes it: Arabic numerals, full year, no leading zeros (2026年1月5日)."""
    return f"{value.year}年{value.month}月{value.day}日"
