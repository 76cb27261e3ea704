"""公文种类: the 15 document types of 《党政机关公文处理工作条例》 (Article 8)."""

from __future__ import annotations

from typing import Literal

DOC_TYPES: tuple[str, ...] = (
    "决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知",
    "通报", "报告", "请示", "批复", "议案", "函", "纪要",
)  # fmt: skip

DocType = Literal[
    "决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知",
    "通报", "报告", "请示", "批复", "议案", "函", "纪要",
]  # fmt: skip

OPTIONAL_MAIN_RECIPIENTS = frozenset({"公告", "通告", "命令", "纪要"})
"""文种 that may have no 主送机关: 公告 and 通告 are published to all, a 命令 is announced, a 纪要 records a
meeting (GB/T 9704-2012 7.3.2: 主送机关 where there is one). Every other 文种 has at least one."""

URGENCIES: tuple[str, ...] = ("", "加急", "特急")
"""紧急程度: blank, 加急 (urgent) or 特急 (extra urgent)."""

ACCEPTED_CLASSIFICATIONS: tuple[str, ...] = ("", "非密")
"""密级: this system handles only non-classified (非密) documents."""

CLASSIFIED_REFUSAL = "涉密公文不得在本系统处理 (classified documents must not be handled in this system)"


def word_count(*texts: str) -> int:
    """字数: characters other than white space, as Chinese offices count a text."""
    return sum(1 for text in texts for ch in text if not ch.isspace())
