"""The layout without fonts: 结构层次 headings and what the document may say."""

from __future__ import annotations

from dataclasses import replace

import pytest

from oa_core.publishing.layout import heading_level
from tests.unit.publishing.samples import NOTICE, laid_out


def test_heading_levels_follow_the_numbering_style() -> None:
    assert [heading_level(p) for p in ("一、总体要求", "（二）工作措施", "3．时间", "（4）分工")] == [
        1,
        2,
        3,
        4,
    ]
    assert heading_level("各单位要高度重视。") == 0


def test_an_unknown_urgency_is_refused() -> None:
    with pytest.raises(ValueError, match="紧急程度只能是"):
        laid_out(replace(NOTICE, urgency="火急"))
