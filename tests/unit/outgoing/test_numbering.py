"""编号规则: the 机关代字 by 文种 family and issuing office, from configuration."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from oa_core.outgoing import numbering
from oa_core.platform.config import settings


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    def set_rules(text: str) -> None:
        monkeypatch.setenv("NUMBERING_RULES", text)
        monkeypatch.setenv("ISSUER_CODE", "示例办发")
        numbering.rules.cache_clear()
        settings.cache_clear()

    yield set_rules
    numbering.rules.cache_clear()
    settings.cache_clear()


def test_without_rules_every_document_takes_the_issuer_code(configure: Callable[[str], None]) -> None:
    configure("")
    assert numbering.issuer_code_for("函", "bgs") == "示例办发"


def test_the_first_matching_rule_gives_the_code(configure: Callable[[str], None]) -> None:
    configure(
        '[{"code": "示例办函", "doc_types": ["函"]},'
        ' {"code": "示例政法", "departments": ["zcfgk"]},'
        ' {"code": "示例办纪", "doc_types": ["纪要"], "departments": ["bgs"]}]'
    )
    assert numbering.issuer_code_for("函", "zcfgk") == "示例办函", "rules are tried in order"
    assert numbering.issuer_code_for("通知", "zcfgk") == "示例政法"
    assert numbering.issuer_code_for("纪要", "bgs") == "示例办纪"
    assert numbering.issuer_code_for("纪要", "cwk") == "示例办发"
    assert numbering.issuer_code_for("通知", "bgs") == "示例办发"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", "NUMBERING_RULES"),
        ('[{"code": "示例办函", "doc_types": ["便函"]}]', "便函"),
        ('[{"code": "示例〔办〕函"}]', "code"),
        ('[{"doc_types": ["函"]}]', "code"),
    ],
)
def test_bad_rules_are_refused_with_a_message(configure: Callable[[str], None], text: str, words: str) -> None:
    configure(text)
    with pytest.raises(numbering.NumberingRulesError, match=words):
        numbering.issuer_code_for("函", "bgs")
