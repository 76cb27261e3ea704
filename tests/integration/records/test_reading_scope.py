"""Who reads across departments: the 办公室's 文书 (OfficeDepartment), 档案员 and administrators; any
other 文书 their own department's only. And the 档案包 route says nothing about ids to a stranger."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.stack import LocalStack
from oa_core.identity import directory
from tests.integration.kit import Api, approve, office_clerk, submit, users_with, wait_status

pytestmark = pytest.mark.integration

OTHER_CLERK = "xuhui"
"""文书 of 综合科 (zhk) in the demo organisation: not the 办公室."""
STRANGER = "yangfan"
"""会签人 of 综合科, no part of the documents below."""


@pytest.fixture(scope="module")
def archived(stack: LocalStack) -> dict[str, Any]:
    """One document of 政策法规科 (zcfgk), archived, distributed to nobody."""
    api = Api(stack)
    drafter = "lina"
    doc_id = submit(api, drafter, title="关于政策法规科归档文件的通知", distribute_to=[])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    return wait_status(api, doc_id, "archived", drafter)


def test_a_clerk_outside_the_office_cannot_read_another_departments_draft_in_review(api: Api) -> None:
    assert directory.get_user(OTHER_CLERK)["department"] != "zcfgk"  # type: ignore[index]
    doc_id = submit(api, "lina", title="关于科室草稿保密的通知")
    status, reply = api.call("GET", f"/api/documents/{doc_id}", OTHER_CLERK)
    assert status == 403 and "无权查看" in reply["error"]["message"], reply
    status, reply = api.call("GET", f"/api/documents/{doc_id}", office_clerk())
    assert status == 200 and reply["status"] == "in_review", reply


def test_a_clerk_reads_his_own_departments_drafts_in_review(api: Api) -> None:
    directory.seed_organisation(
        {
            "users": [
                {
                    "user_id": "zz.zhk",
                    "name": "综合科拟稿人",
                    "email": "zz.zhk@example.gov.cn",
                    "department": "zhk",
                    "roles": ["drafter"],
                }
            ]
        }
    )
    doc_id = submit(api, "zz.zhk", title="关于综合科内部事项的通知")
    status, reply = api.call("GET", f"/api/documents/{doc_id}", OTHER_CLERK)
    assert status == 200 and reply["drafter_department"] == "zhk", reply


def test_a_clerk_outside_the_office_neither_finds_nor_downloads_another_departments_archive(
    api: Api, archived: dict[str, Any]
) -> None:
    doc_id, year = archived["document_id"], str(archived["sign_date"])[:4]
    status, reply = api.call("GET", f"/api/archive?year={year}&department=zcfgk", OTHER_CLERK)
    assert status == 422 and "本部门" in reply["error"]["message"], reply
    status, reply = api.call("GET", f"/api/archive?year={year}", OTHER_CLERK)
    assert status == 200 and doc_id not in [hit["document_id"] for hit in reply["items"]], reply
    for path in (f"/api/archive/{doc_id}/package", f"/api/archive/{doc_id}/report", f"/api/documents/{doc_id}/pdf"):
        status, reply = api.call("GET", path, OTHER_CLERK)
        assert status == 403, (path, reply)
    status, reply = api.call("GET", f"/api/archive?year={year}&department=zcfgk", office_clerk())
    assert status == 200 and doc_id in [hit["document_id"] for hit in reply["items"]], reply
    package = api.stack.invoke_http("GET", f"/api/archive/{doc_id}/package", user_id=office_clerk())
    assert package.status == 200 and package.body[:2] == b"PK"  # a ZIP


def test_the_package_route_answers_a_stranger_alike_for_an_existing_and_an_unknown_id(
    api: Api, archived: dict[str, Any]
) -> None:
    existing = api.call("GET", f"/api/archive/{archived['document_id']}/package", STRANGER)
    unknown = api.call("GET", "/api/archive/20260101-00000000ff/package", STRANGER)
    assert existing[0] == 403 and unknown == existing, (existing, unknown)
    report_existing = api.call("GET", f"/api/archive/{archived['document_id']}/report", STRANGER)
    report_unknown = api.call("GET", "/api/archive/20260101-00000000ff/report", STRANGER)
    assert report_existing[0] == 403 and report_unknown == report_existing
    # Those who may read every department learn what is missing.
    status, reply = api.call("GET", "/api/archive/20260101-00000000ff/package", users_with("archivist")[0])
    assert status == 404 and "不存在" in reply["error"]["message"], reply
