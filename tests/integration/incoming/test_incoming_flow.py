"""收文 from 拟办 to 归档 through the JSON API: straight through, with 批办 退回 and 办结 退回 on the way."""

from __future__ import annotations

import pytest

from infra.local.stack import LocalStack
from oa_core.records.storage import ArchiveIndexItem
from tests.integration.incoming.flow_kit import (
    OFFICE_HEAD,
    decide,
    instructed,
    leader,
    plan,
    registered,
    stack,
    task_of,
    view,
    wait_incoming,
)
from tests.integration.kit import Api, office_clerk, users_with

pytestmark = pytest.mark.integration
__all__ = ["stack"]


def test_a_received_document_goes_from_proposal_through_instruction_handling_and_reading_to_the_archive(
    stack: LocalStack,
) -> None:
    api, clerk, reader = Api(stack), office_clerk(), users_with("signer")[1]
    incoming_id = instructed(api, stack)
    one = view(api, incoming_id)
    assert one["status"] == "handling"
    handling = one["handling"]
    assert handling["proposal"].startswith("拟请政策法规科主办") and handling["instruction"] == "同意。请按时办理。"
    assert [(h["role"], h["department_name"]) for h in handling["handlers"]] == [
        ("主办", "政策法规科"),
        ("协办", "综合科"),
    ]
    assert handling["handlers"][0]["deadline"] == "2099-12-31" and handling["handlers"][1]["deadline"] == "2099-12-30"
    lead, assist = "liuyang", "xuhui"  # 政策法规科 has no 文书: its 负责人 (会签人) 承办s; 综合科's 文书 does
    task_of(api, lead, incoming_id, "handle")
    task_of(api, assist, incoming_id, "handle")
    assert [h["assignee"] for h in view(api, incoming_id)["handling"]["handlers"]] == [lead, assist]
    decide(api, assist, incoming_id, "handle", opinion="已提供综合科意见。")
    decide(api, reader, incoming_id, "read", opinion="已阅，同意。")
    decide(api, lead, incoming_id, "handle", opinion="已按要求报送统计数据。")
    decide(api, clerk, incoming_id, "check", "return", opinion="请补充报送日期。")
    decide(api, lead, incoming_id, "conclude", opinion="已于12月1日报送统计数据。")
    decide(api, clerk, incoming_id, "check", opinion="同意归档")
    done = wait_incoming(api, incoming_id, "archived")
    assert done["handling"]["result"] == "已于12月1日报送统计数据。"
    assert done["handling"]["readers"][0]["read_at"] and done["handling"]["readers"][0]["note"] == "已阅，同意。"
    code = done["handling"]["archive_code"]
    assert "-WS·" in code and "-ZCFGK-" in code
    entry = next(i for i in ArchiveIndexItem.scan() if isinstance(i, ArchiveIndexItem) and i.document_id == incoming_id)
    assert entry.archive_code == code and entry.doc_type == "收文"


def test_the_leader_returns_the_proposal_and_the_next_round_is_proposed_again(stack: LocalStack) -> None:
    api = Api(stack)
    incoming_id = registered(api, stack, "关于开展校园安全检查的通知")
    decide(
        api,
        OFFICE_HEAD,
        incoming_id,
        "propose",
        opinion="拟请综合科主办。",
        plan=plan(lead={"department": "zhk"}, assist=[]),
    )
    decide(api, leader(), incoming_id, "instruct", "return", opinion="请改由政策法规科主办。")
    assert wait_incoming(api, incoming_id, "proposing")["handling"]["round"] == 2
    decide(api, OFFICE_HEAD, incoming_id, "propose", opinion="拟请政策法规科主办。", plan=plan(assist=[]))
    decide(api, leader(), incoming_id, "instruct", opinion="同意")
    assert wait_incoming(api, incoming_id, "handling")["handling"]["handlers"][0]["department"] == "zcfgk"


def test_a_proposal_naming_an_unknown_department_or_person_is_422_in_chinese(stack: LocalStack) -> None:
    api = Api(stack)
    incoming_id = registered(api, stack, "关于核对单位信息的函")
    task = task_of(api, OFFICE_HEAD, incoming_id, "propose")
    for bad in (plan(lead={"department": "nosuch"}), plan(readers=["nobody"]), plan(leader="lina")):
        status, body = api.decide(task["task_id"], OFFICE_HEAD, "approve", "拟办", plan=bad)
        assert status == 422, body
        assert body["error"]["message"] and not body["error"]["message"].isascii()


def test_the_openapi_document_describes_the_incoming_routes(stack: LocalStack) -> None:
    status, spec = Api(stack).call("GET", "/openapi.json", office_clerk())
    assert status == 200
    assert {
        "/api/incoming",
        "/api/incoming/{incoming_id}",
        "/api/incoming/{incoming_id}/extensions",
        "/api/incoming/{incoming_id}/reassign",
        "/api/incoming/{incoming_id}/replies",
    } <= set(spec["paths"])
