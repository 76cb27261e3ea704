"""拟稿 checks: what a drafter is told before submitting."""

from __future__ import annotations

from typing import Any

from oa_core.outgoing import drafting


def fields(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "doc_type": "通知",
        "title": "关于做好节日值班工作的通知",
        "body": "请各处室做好值班安排。\n\n特此通知。",
        "main_recipients": ["各处室"],
        "reviewer": "lina",
        "signer": "zhaolei",
    }
    return {**base, **overrides}


def messages(result: dict[str, Any], level: str) -> list[str]:
    return [c["message"] for c in result["checks"] if c["level"] == level]


def test_a_well_formed_notice_passes_without_advice() -> None:
    result = drafting.check(fields())
    assert result["ok"] is True
    assert result["checks"] == []
    assert result["word_count"] == 13 + 11 + 5, "title and body, punctuation counted, spaces not"


def test_missing_elements_are_errors_that_block_submission() -> None:
    result = drafting.check(fields(title="", body=" ", main_recipients=[], reviewer="", signer=""))
    assert result["ok"] is False
    assert messages(result, "error") == [
        "请填写标题",
        "请填写正文",
        "请填写主送机关（公告、通告、命令、纪要可不写主送机关）",
        "请选择核稿人",
        "请选择签发人",
    ]


def test_a_qingshi_with_two_main_recipients_is_an_error() -> None:
    result = drafting.check(fields(doc_type="请示", title="关于经费的请示", main_recipients="市政府、市财政局"))
    assert any("一文一事" in m for m in messages(result, "error"))


def test_a_qingshi_without_its_request_phrase_gets_advice() -> None:
    result = drafting.check(fields(doc_type="请示", title="关于经费的请示", body="拟申请经费。"))
    assert result["ok"] is True
    assert any("妥否，请批示。" in m for m in messages(result, "warning"))


def test_a_title_that_does_not_end_with_its_type_gets_advice() -> None:
    result = drafting.check(fields(title="关于值班工作的安排"))
    assert messages(result, "warning") == ["标题一般以文种结尾，如“关于……的通知”"]


def test_wrong_brackets_leading_zeros_and_dates_are_pointed_out() -> None:
    body = "根据国办发[2012]14号、市政办函（2025）3号和示例办发〔2026〕07号，于2026-01-05、二〇二六年二月前完成。"
    result = drafting.check(fields(body=body))
    warnings = " ".join(messages(result, "warning"))
    assert "“[2012]14号”应写作“〔2012〕14号”" in warnings
    assert "“（2025）3号”应写作“〔2025〕3号”" in warnings
    assert "不编虚位" in warnings
    assert "2026年1月5日" in warnings
    assert "阿拉伯数字" in warnings


def test_a_classified_document_is_refused() -> None:
    assert "涉密公文不得在本系统处理" in messages(drafting.check(fields(classification="秘密")), "error")


def test_every_template_passes_the_checks_once_filled_in() -> None:
    for template in drafting.TEMPLATES:
        result = drafting.check(
            fields(doc_type=template.doc_type, title=template.title.replace("……", "年度工作"), body=template.body)
        )
        assert result["ok"], (template.key, result)
        assert not [m for m in messages(result, "warning") if "标题" in m], template.key
