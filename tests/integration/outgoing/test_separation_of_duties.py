"""职责分离: with an organisation where one person holds several roles, nobody decides their own
document, and nobody decides two steps of one document (the default: AllowSamePersonMultipleSteps false)."""

from __future__ import annotations

from typing import Any

import pytest

from oa_core.identity import directory
from oa_core.outgoing.storage import DocumentItem, load_document
from oa_core.platform.storage import RecordItem
from tests.integration.kit import Api, approve, draft, pending_task, submit, users_with, wait_status

pytestmark = pytest.mark.integration

ALL_ROLES = ["drafter", "reviewer", "countersigner", "signer"]
"""多职人 holds every role of a document's steps; 兼职人 reviews and signs."""


@pytest.fixture(scope="module", autouse=True)
def several_roles(stack: Any) -> None:
    directory.seed_organisation(
        {
            "users": [
                {
                    "user_id": "zz.duozhi",
                    "name": "多职人",
                    "email": "zz.duozhi@example.gov.cn",
                    "department": "zcfgk",
                    "roles": ALL_ROLES,
                },
                {
                    "user_id": "zz.jianzhi",
                    "name": "兼职人",
                    "email": "zz.jianzhi@example.gov.cn",
                    "department": "bgs",
                    "roles": ["reviewer", "countersigner", "signer"],
                },
            ]
        }
    )


def _documents_titled(title: str) -> int:
    scan = RecordItem.scan(RecordItem.SK == "META", consistent_read=True)
    return sum(1 for item in scan if isinstance(item, DocumentItem) and item.title == title)


@pytest.mark.parametrize(
    ("people", "named"),
    [
        ({"reviewer": "zz.duozhi"}, ["拟稿人多职人不能担任本文件的核稿人"]),
        ({"countersigners": ["zz.duozhi"]}, ["不能担任本文件的会签人"]),
        ({"signer": "zz.duozhi"}, ["不能担任本文件的签发人"]),
        (
            {"reviewer": "zz.duozhi", "countersigners": ["zz.duozhi"], "signer": "zz.duozhi"},
            ["核稿人", "会签人", "签发人"],
        ),
    ],
)
def test_a_drafter_cannot_name_himself_to_decide_his_own_document(
    api: Api, people: dict[str, Any], named: list[str]
) -> None:
    title = f"关于自审自签测试{len(named)}{sorted(people)}的通知"
    status, reply = api.call("POST", "/api/documents", "zz.duozhi", draft(title=title, **people))
    assert status == 422, reply
    assert reply["error"]["code"] == "separation_of_duties" and "职责分离" in reply["error"]["message"]
    assert all(text in reply["error"]["message"] for text in named), reply
    assert _documents_titled(title) == 0


@pytest.mark.parametrize(
    ("people", "named"),
    [
        ({"reviewer": "zz.jianzhi", "signer": "zz.jianzhi"}, "兼职人不能同时担任本文件的核稿人和签发人"),
        ({"reviewer": "zz.jianzhi", "countersigners": ["zz.jianzhi"]}, "不能同时担任本文件的核稿人和会签人"),
        ({"countersigners": ["zz.jianzhi"], "signer": "zz.jianzhi"}, "不能同时担任本文件的会签人和签发人"),
    ],
)
def test_one_person_cannot_be_named_for_two_steps_of_one_document(api: Api, people: dict[str, Any], named: str) -> None:
    status, reply = api.call("POST", "/api/documents", users_with("drafter")[0], draft(**people))
    assert status == 422 and named in reply["error"]["message"], reply


def _store(document_id: str, **fields: Any) -> None:
    """What an older or altered record would hold: the people changed underneath the flow."""
    doc = load_document(document_id)
    doc.update(actions=[getattr(DocumentItem, name).set(value) for name, value in fields.items()])


def test_the_drafter_cannot_decide_even_when_the_stored_document_names_him(api: Api) -> None:
    reviewer = users_with("reviewer")[0]
    doc_id = submit(api, "zz.duozhi")
    task = pending_task(api, reviewer, doc_id, "review")
    _store(doc_id, drafter=reviewer)
    status, reply = api.decide(task["task_id"], reviewer, "approve", "同意")
    assert status == 403 and "拟稿人不能办理自己起草的文件的核稿" in reply["error"]["message"], reply
    assert api.document(doc_id, reviewer)["status"] == "in_review"


def test_a_decision_task_never_opens_for_the_drafter(api: Api) -> None:
    reviewer, signer = users_with("reviewer")[0], users_with("signer")[0]
    doc_id = submit(api, users_with("drafter")[0])
    _store(doc_id, drafter=signer)
    approve(api, reviewer, doc_id, "review")
    failed = wait_status(api, doc_id, "failed")
    assert failed["failed_step"] == "sign" and "职责分离" in str(failed["failure_reason"]), failed
    assert not [t for t in api.tasks(signer) if t["document_id"] == doc_id]


def test_a_person_who_decided_one_step_cannot_decide_another(api: Api) -> None:
    doc_id = submit(api, users_with("drafter")[0], reviewer="zz.jianzhi", signer=users_with("signer")[0])
    _store(doc_id, signer="zz.jianzhi")
    approve(api, "zz.jianzhi", doc_id, "review")
    task = pending_task(api, "zz.jianzhi", doc_id, "sign")
    status, reply = api.decide(task["task_id"], "zz.jianzhi", "approve", "同意")
    assert status == 403 and "已作为核稿人办理过本文件，不能再办理签发" in reply["error"]["message"], reply
    assert api.document(doc_id, "zz.jianzhi")["status"] == "signing"


def test_a_revision_of_a_document_whose_people_conflict_is_refused(api: Api) -> None:
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, reviewer="zz.jianzhi", signer=users_with("signer")[0])
    task = pending_task(api, "zz.jianzhi", doc_id, "review")
    status, reply = api.decide(task["task_id"], "zz.jianzhi", "return", "请补充依据")
    assert status == 200, reply
    pending_task(api, drafter, doc_id, "revise")
    _store(doc_id, signer="zz.jianzhi")
    status, reply = api.call("POST", f"/api/documents/{doc_id}/revision", drafter, {"body": "修改后的正文。"})
    assert status == 422 and "不能同时担任本文件的核稿人和签发人" in reply["error"]["message"], reply
