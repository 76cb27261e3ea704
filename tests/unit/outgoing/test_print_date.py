"""印发日期 (GB/T 9704-2012 §7.4.3) is the day the document is printed (印制), not its 成文日期."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from oa_core.outgoing import printing
from oa_core.outgoing.storage import DocumentItem
from oa_core.platform import clock


def _document(printed_at: str | None = None) -> DocumentItem:
    return DocumentItem(
        doc_type="通知",
        title="关于做好冬季安全生产工作的通知",
        body="正文。",
        sign_date="2026-11-25T10:00:00+08:00",
        printed_at=printed_at,
    )


@pytest.fixture(autouse=True)
def _no_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing.directory, "get_user", lambda _user: None)
    monkeypatch.setattr(printing.directory, "unit_relations", dict)  # 行文关系: none, a 通知 goes down
    monkeypatch.setattr(printing, "settings", lambda: SimpleNamespace(org_name="示例市人民政府办公室"))


def test_the_print_date_is_the_day_of_printing_not_the_sign_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat("2026-11-27T09:30:00+08:00"))
    elements = printing.official_document(_document())
    assert str(elements.sign_date) == "2026-11-25" and str(elements.print_date) == "2026-11-27"


def test_a_document_printed_before_keeps_the_day_it_was_printed_in_china(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat("2026-12-10T09:30:00+08:00"))
    elements = printing.official_document(_document(printed_at="2026-11-26T17:30:00+00:00"))
    assert str(elements.print_date) == "2026-11-27", "the 印制 day in Asia/Shanghai (01:30 on the 27th)"
