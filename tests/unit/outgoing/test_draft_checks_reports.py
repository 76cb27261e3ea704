"""报告不得夹带请示事项 (《党政机关公文处理工作条例》第十五条): the endings of real 报告, wrong and right."""

from __future__ import annotations

from typing import Any

import pytest

from oa_core.outgoing import drafting

from .test_drafting import fields

CARRYING_A_REQUEST = [
    "妥否，请批示。",
    "当否，请批示。",
    "以上意见当否，请指示。",
    "请批准。",
    "请予批准。",
    "请审批。",
    "请批复。",
    "请核准。",
    "请予审定。",
    "请领导审定。",
    "恳请省政府批准。",
    "请省政府予以批准。",
    "请上级机关审批。",
    "望批准为盼。",
    "请予支持。",
    "恳请上级给予资金支持。",
    "特此请示。",
    "以上报告如无不妥，请批转各地执行。",
    "请市政府尽快拨付专项资金。",
    "恳请市委、市政府帮助协调解决。",
    "以上报告，请审阅并批示。",
    "是否同意，请予批复。",
    "敬请省政府同意为盼。",
    "望上级部门予以支持。",
    "盼复。",
    "请予函复。",
]

REPORT_ENDINGS = [
    "特此报告。",
    "专此报告。",
    "以上报告，请审阅。",
    "以上报告，如有不妥，请批评指正。",
    "现将有关情况报告如下，请审议。",
    "以上报告，请予审议。",
    "以上报告，请予审查。",
    "现将《示例市安全生产条例实施办法》报上，请予备案。",
    "请阅。",
    "以上报告，请收阅。",
    "经请示省政府同意，我市于3月启动了此项工作。\n\n特此报告。",
    "该方案已报请省政府批准后实施。\n\n特此报告。",
    "我局已请各县核准统计数据，全省已有15家企业申请补助并获批准。\n\n特此报告。",
    "展望2027年，我们将继续争取上级支持。\n\n特此报告。",
    "我们先后请省农科院专家解决技术难题。\n\n特此报告。",
    "希望通过此项工作解决群众急难愁盼问题。\n\n特此报告。",
]


def report(body: str) -> dict[str, Any]:
    return drafting.check(
        fields(doc_type="报告", title="关于冬季安全生产工作情况的报告", main_recipients=["示例省人民政府"], body=body)
    )


@pytest.mark.parametrize("ending", CARRYING_A_REQUEST)
def test_a_report_ending_with_a_request_is_refused_and_names_the_request(ending: str) -> None:
    body = f"现将今年冬季安全生产工作情况报告如下：全市已完成全部检查任务。\n\n{ending}"
    result = report(body)
    refusals = [c for c in result["checks"] if c["level"] == "error"]
    assert result["ok"] is False, ending
    assert refusals and all("报告不得夹带请示事项" in c["message"] for c in refusals), refusals
    assert all(c["found"] and c["found"] in ending and c["found"] in c["message"] for c in refusals), refusals


@pytest.mark.parametrize("ending", REPORT_ENDINGS)
def test_a_report_ending_as_reports_may_end_passes(ending: str) -> None:
    body = f"现将今年冬季安全生产工作情况报告如下：全市已完成全部检查任务。\n\n{ending}"
    assert report(body)["checks"] == [], ending


def test_a_request_earlier_in_the_body_of_a_report_is_advice_not_a_refusal() -> None:
    body = "通过请省农科院专家解决技术难题，全市已完成全部检查任务。\n\n特此报告。"
    result = report(body)
    assert result["ok"] is True
    assert [(c["level"], c["found"]) for c in result["checks"]] == [("warning", "请省农科院专家解决")]
    assert "报告不得夹带请示事项" in result["checks"][0]["message"]


def test_the_request_phrases_are_no_error_in_other_types() -> None:
    body = "拟追加经费。\n\n恳请省政府批准。"
    draft = fields(doc_type="请示", title="关于追加经费的请示", main_recipients=["示例省人民政府"], body=body)
    assert [c for c in drafting.check(draft)["checks"] if "报告不得夹带" in c["message"]] == []
