"""公文要素: how the document's dates are written."""

from __future__ import annotations

import datetime

from oa_core.publishing.document import chinese_date


def test_the_date_is_written_with_arabic_numerals_and_no_zero_padding() -> None:
    assert chinese_date(datetime.date(2026, 11, 25)) == "2026年11月25日"
    assert chinese_date(datetime.date(2026, 1, 5)) == "2026年1月5日"
