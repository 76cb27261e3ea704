"""拟稿检查 through the JSON API (POST /api/drafts/check) with the demo organisation's 行文关系, 主送机关 per
文种 at submission, and 上行文 decided by the 主送机关's relation when the document is typeset."""

from __future__ import annotations

import pytest

from oa_core.identity import directory
from oa_core.outgoing import printing
from oa_core.outgoing.storage import load_document
from oa_core.platform.errors import InvalidInput
from tests.integration.kit import Api, draft, submit, users_with

pytestmark = pytest.mark.integration

SUPERIOR = "示例市人民政府"
SUBORDINATE = "示例市东城区人民政府"
"""Marked ``superior`` and ``subordinate`` in infra/demo_org.json."""


def test_the_api_check_refuses_a_request_copied_to_a_subordinate_unit_of_the_organisation_file(api: Api) -> None:
    request = draft(
        doc_type="请示",
        title="关于追加值班经费的请示",
        body="依据示例办发(2026)7号，拟追加经费。\n\n妥否，请批示。",
        main_recipients=[SUPERIOR],
        cc=[SUBORDINATE],
    )
    status, found = api.call("POST", "/api/drafts/check", users_with("drafter")[0], request)
    assert status == 200, found
    assert found["ok"] is False
    assert {
        "level": "error",
        "field": "cc",
        "message": f"请示不得抄送下级机关：“{SUBORDINATE}”是本机关的下级机关，请从抄送中删去",
        "found": SUBORDINATE,
        "suggestion": "",
    } in found["checks"]
    number = next(c for c in found["checks"] if c["found"] == "(2026)7号")
    assert (number["level"], number["suggestion"]) == ("warning", "〔2026〕7号")


def test_the_api_check_passes_a_correct_draft_and_takes_a_partial_one(api: Api) -> None:
    drafter = users_with("drafter")[0]
    status, found = api.call("POST", "/api/drafts/check", drafter, draft(body="依据示例办发〔2026〕7号执行。"))
    assert (status, found["ok"], found["checks"]) == (200, True, [])
    status, partial = api.call("POST", "/api/drafts/check", drafter, {"title": "关于……的通知"})
    assert status == 200 and partial["ok"] is False
    assert "标题中还有模板占位“……”" in " ".join(c["message"] for c in partial["checks"])
    status, refused = api.call("POST", "/api/drafts/check", None, {})
    assert status == 401, refused


def test_an_announcement_is_submitted_without_a_main_recipient_and_a_notice_is_not(api: Api) -> None:
    submit(api, doc_type="公告", title="示例市人民政府办公室公告", main_recipients=[])
    status, reply = api.call("POST", "/api/documents", users_with("drafter")[0], draft(main_recipients=[]))
    assert status == 422 and "请填写主送机关" in reply["error"]["message"], reply


def test_an_opinion_to_the_superior_unit_is_typeset_as_upward_with_its_signer(api: Api) -> None:
    upward = submit(api, doc_type="意见", title="关于加强值班工作的意见", main_recipients=[SUPERIOR])
    downward = submit(api, doc_type="意见", title="关于加强值班工作的意见", main_recipients=["各处室"])
    assert printing.official_document(load_document(upward)).signer_name, "上行的意见 prints its 签发人"
    assert printing.official_document(load_document(downward)).signer_name == ""


def test_an_organisation_file_with_an_unknown_relation_is_refused_before_anything_is_written(api: Api) -> None:
    unit = {"unit_id": "zz-bad", "name": "示例县人民政府", "email": "a@example.gov.cn", "relation": "上级"}
    with pytest.raises(InvalidInput, match="relation 只能是 superior（上级机关）、subordinate（下级机关）或留空"):
        directory.seed_organisation({"external_units": [unit]})
    assert "示例县人民政府" not in {u["name"] for u in directory.list_external_units()}
    assert directory.unit_relations() == {SUPERIOR: "superior", SUBORDINATE: "subordinate"}
