"""行文方向: whether a document goes up (上行文), and which of its recipients are 上级机关 or 下级机关.

The relation of a recipient to this unit comes first from the organisation file: an external unit's
``relation`` is ``superior`` (上级机关) or ``subordinate`` (下级机关); any other unit is 不相隶属. Where the
file does not know a recipient, its name may still say it is a group of lower units: 各区县人民政府,
各县（市、区）, 各处室, 市属各单位, 所属单位, 直属单位, 辖区… (``looks_subordinate``). A name is a guess,
the file is the unit's word: the 拟稿 checks refuse on the file and only advise on the name.

A document is 上行文 when its 文种 is 请示 or 报告, or when a 主送机关 is a 上级机关 in the organisation file
(an 意见 or a 函 to the 上级机关 goes up too); a 上行文 prints its 签发人 beside the 发文字号 (GB/T 9704 7.2.6).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

SUPERIOR = "superior"
SUBORDINATE = "subordinate"
UPWARD_TYPES = frozenset({"请示", "报告"})
"""文种 that always go up."""
DOWNWARD_TYPES = frozenset({"决议", "决定", "命令", "公报", "公告", "通告", "通知", "通报", "批复"})
"""文种 never addressed to a 上级机关."""

_SUBORDINATE_NAME = re.compile(r"各|所属|下属|直属|基层|下级|下辖|辖区|辖内|[市县区乡镇局委厅办部校院]属")
_SEPARATORS = "\n、，,；;"
_OPENING, _CLOSING = "（([［【〔{｛〈《", "）)]］】〕}｝〉》"


def looks_subordinate(name: str) -> bool:
    """A name that stands for lower units: 各… anywhere (各区县人民政府, 各县（市、区）, 市属各单位, 全市各级行政机关)
    or …所属/下属/直属/基层/下辖/辖区…, or 市属/县属/局属… (one's own 市/县/局: 省属 is left out, a 省属 unit is
    not below a 市's). No 上级机关 is written that way."""
    return bool(_SUBORDINATE_NAME.search(name.strip()))


def unit_names(text: str) -> list[str]:
    """The names in one written list: split at a line break, 、，, or ；, but not inside brackets, so
    「各县（市、区）人民政府、市财政局」 is two names."""
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(0, depth - 1)
        if char in _SEPARATORS and (depth == 0 or char == "\n"):
            names.append("".join(current))
            current, depth = [], 0
        else:
            current.append(char)
    names.append("".join(current))
    return [name.strip() for name in names if name.strip()]


def superiors(names: Iterable[str], relations: Mapping[str, str]) -> list[str]:
    return [name for name in names if relations.get(name.strip()) == SUPERIOR]


def subordinates(names: Iterable[str], relations: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(下级机关 by the organisation file, 下级机关 by their name only) among ``names``."""
    known = [name for name in names if relations.get(name.strip()) == SUBORDINATE]
    guessed = [
        name for name in names if name not in known and name.strip() not in relations and looks_subordinate(name)
    ]
    return known, guessed


def is_upward(doc_type: str, main_recipients: Iterable[str], relations: Mapping[str, str]) -> bool:
    """上行文: a 请示 or 报告, or any document whose 主送机关 includes a 上级机关 of the organisation file."""
    return doc_type in UPWARD_TYPES or bool(superiors(main_recipients, relations))
