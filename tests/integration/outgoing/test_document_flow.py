"""The 发文 flow end to end: the real ASL in moto, the real handlers, through the JSON API."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest

from infra.local.stack import LocalStack
from oa_core.records.package import verify_package
from tests.integration.kit import (
    Api,
    approve,
    outbox_seen,
    pending_task,
    submit,
    users_with,
    wait_for,
    wait_status,
)

pytestmark = pytest.mark.integration


def test_all_approve_numbers_distributes_and_archives_one_package(api: Api, stack: LocalStack) -> None:
    drafter = users_with("drafter")[0]
    reviewer, signer = users_with("reviewer")[0], users_with("signer")[0]
    countersigners = users_with("countersigner")[:2]
    doc_id = submit(api, drafter, countersigners=countersigners)
    assert api.document(doc_id, drafter)["status"] == "in_review"

    approve(api, reviewer, doc_id, "review", "文字已核")
    for person in countersigners:
        approve(api, person, doc_id, "countersign", "同意会签")
    approve(api, signer, doc_id, "sign", "同意印发")
    doc = wait_status(api, doc_id, "archived", drafter)

    assert doc["number"].startswith("示例办发〔") and doc["number"].endswith("号")
    assert doc["sign_date"]
    steps = [(h["step"], h["decision"]) for h in doc["history"]]
    assert steps[0] == ("draft", "submit")
    assert ("review", "approve") in steps and ("sign", "approve") in steps
    assert steps.count(("countersign", "approve")) == 2
    assert [d["channel"] for d in doc["deliveries"]].count("external") == 1
    assert all(c["state"] == "approved" for c in doc["countersign"])

    s3 = boto3.client("s3")
    package = s3.get_object(Bucket=stack.env["ARCHIVE_BUCKET"], Key=doc["archive_key"])["Body"].read()
    assert verify_package(package) == []
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        names = set(archive.namelist())
        assert {
            "document.json",
            "final.txt",
            "opinions.json",
            "audit.json",
            "manifest.json",
            "versions/v0001.json",
        } <= names
        opinions = json.loads(archive.read("opinions.json"))
        assert any(o["opinion"] == "同意印发" for o in opinions)
        assert doc["number"] in archive.read("final.txt").decode()
        # 一文一档: the document's own audit trail (from the audit table), each record with its chain hash.
        trail = json.loads(archive.read("audit.json"))
        assert {"number", "seal"} <= {t["action"] for t in trail}
        assert all(len(t["hash"]) == 64 for t in trail)


def test_return_at_review_goes_to_the_drafter_and_the_revision_goes_back_to_review(
    api: Api,
) -> None:
    drafter, reviewer = users_with("drafter")[0], users_with("reviewer")[0]
    doc_id = submit(api, drafter)
    task = pending_task(api, reviewer, doc_id, "review")
    assert task["title"] == "关于做好2026年度安全生产工作的通知" and not task["overdue"]

    def revise_mails() -> list[dict[str, Any]]:  # a mail names no document id: the drafter's 请修改 after this return
        return [
            m
            for m in api.stack.outbox()
            if m["subject"].startswith("请修改") and m["to"] == [f"{drafter}@example.gov.cn"]
        ]

    earlier = len(revise_mails())
    status, body = api.decide(task["task_id"], reviewer, "return", "请补充责任分工")
    assert status == 200, body
    wait_status(api, doc_id, "returned", drafter)
    pending_task(api, drafter, doc_id, "revise")
    notice = wait_for(
        lambda: revise_mails()[earlier:],
        "the drafter's revision notice",
        saw=outbox_seen(api.stack),
    )[-1]
    assert "请补充责任分工" in notice["text"], "the notice carries the reviewer's opinion"
    assert notice["links"] == [], "the drafter revises signed in, not through a one-click link"

    status, body = api.call(
        "POST",
        f"/api/documents/{doc_id}/revision",
        drafter,
        {"body": "一、明确责任分工。\n请执行。", "note": "已补充"},
    )
    assert status == 200, body
    second = pending_task(api, reviewer, doc_id, "review")
    assert second["task_id"] != task["task_id"]
    doc = api.document(doc_id, drafter)
    assert doc["status"] == "in_review"
    assert [v["version"] for v in doc["versions"]] == [1, 2]
    assert "+一、明确责任分工。" in doc["versions"][1]["diff"]


def test_reviewer_edits_make_a_new_version_with_a_diff(api: Api) -> None:
    drafter, reviewer = users_with("drafter")[0], users_with("reviewer")[0]
    doc_id = submit(api, drafter)
    task = pending_task(api, reviewer, doc_id, "review")
    status, body = api.decide(
        task["task_id"],
        reviewer,
        "approve",
        "改了标题",
        edits={"title": "关于做好安全生产工作的通知"},
    )
    assert status == 200, body
    doc = wait_status(api, doc_id, "signing", drafter)
    assert doc["title"] == "关于做好安全生产工作的通知"
    assert len(doc["versions"]) == 2
    assert "-标题：关于做好2026年度安全生产工作的通知" in doc["versions"][1]["diff"]


def test_return_at_countersign_cancels_the_others_and_goes_back_to_the_drafter(api: Api) -> None:
    drafter, reviewer = users_with("drafter")[0], users_with("reviewer")[0]
    people = users_with("countersigner")[:3]
    doc_id = submit(api, drafter, countersigners=people, countersign_mode="parallel")
    approve(api, reviewer, doc_id, "review")
    tasks = [pending_task(api, person, doc_id, "countersign") for person in people]
    status, body = api.decide(tasks[1]["task_id"], people[1], "return", "涉及我处职责的表述不准确")
    assert status == 200, body
    doc = wait_status(api, doc_id, "returned", drafter)
    states = {c["user_id"]: c["state"] for c in doc["countersign"]}
    assert states[people[1]] == "returned"
    assert states[people[0]] == states[people[2]] == "cancelled"
    status, body = api.decide(tasks[0]["task_id"], people[0], "approve")
    assert status == 409, body
    assert "撤销" in body["error"]["message"]


def test_reject_at_sign_ends_the_flow_and_tells_the_drafter(api: Api, stack: LocalStack) -> None:
    drafter, reviewer, signer = (
        users_with("drafter")[0],
        users_with("reviewer")[0],
        users_with("signer")[0],
    )
    doc_id = submit(api, drafter, title="关于拟不予支持的请示事项的通知")
    approve(api, reviewer, doc_id, "review")
    task = pending_task(api, signer, doc_id, "sign")
    status, body = api.decide(task["task_id"], signer, "reject", "时机不成熟，暂不印发")
    assert status == 200, body
    doc = wait_status(api, doc_id, "rejected", drafter)
    assert doc["number"] is None and doc["pending"] == []
    assert any(h["decision"] == "reject" and h["opinion"] == "时机不成熟，暂不印发" for h in doc["history"])
    # The status is written first, then the drafter is told: wait for the email.
    title = "关于拟不予支持的请示事项的通知"
    mails = wait_for(
        lambda: [m for m in stack.outbox() if "未通过" in m["subject"] and title in m["subject"]],
        "the drafter's rejection notice",
        saw=outbox_seen(stack),
    )
    assert "时机不成熟" in mails[0]["text"]


@pytest.mark.parametrize("mode", ["serial", "parallel"])
def test_countersign_with_three_people_in_each_mode(api: Api, mode: str) -> None:
    drafter, reviewer, signer = (
        users_with("drafter")[0],
        users_with("reviewer")[0],
        users_with("signer")[0],
    )
    people = users_with("countersigner")[:3]
    doc_id = submit(api, drafter, countersigners=people, countersign_mode=mode)
    approve(api, reviewer, doc_id, "review")
    if mode == "parallel":
        wait_for(
            lambda: len(api.document(doc_id, drafter)["pending"]) == 3,
            "three countersigners asked at once",
        )
        for person in reversed(people):
            approve(api, person, doc_id, "countersign")
    else:
        for index, person in enumerate(people):
            pending_task(api, person, doc_id, "countersign")
            doc = api.document(doc_id, drafter)
            assert doc["pending"] == [person], "serial mode asks one person at a time"
            assert [c["state"] for c in doc["countersign"]][index + 1 :] == ["waiting"] * (2 - index)
            approve(api, person, doc_id, "countersign")
    approve(api, signer, doc_id, "sign")
    doc = wait_status(api, doc_id, "archived", drafter)
    assert [c["state"] for c in doc["countersign"]] == ["approved"] * 3


def test_archived_documents_are_found_by_title_words_type_and_year(api: Api) -> None:
    drafter, archivist = users_with("drafter")[0], users_with("archivist")[0]
    doc_id = submit(api, drafter, doc_type="函", title="关于商请支持档案检索测试的函", main_recipients=["市档案馆"])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    doc = wait_status(api, doc_id, "archived", drafter)
    year = doc["sign_date"][:4]
    status, page = api.call("GET", f"/api/archive?q=档案检索&doc_type=函&year={year}", archivist)
    assert status == 200, page
    assert [hit["document_id"] for hit in page["items"]] == [doc_id]
    assert page["items"][0]["number"] == doc["number"]
    status, page = api.call("GET", f"/api/archive?q=档案检索&doc_type=通知&year={year}", archivist)
    assert status == 200 and page["items"] == []
    status, page = api.call("GET", "/api/archive?year=20", archivist)
    assert status == 422 and "year" in page["error"]["message"]
    outsider = users_with("drafter")[1]
    status, page = api.call("GET", f"/api/archive?q=档案检索&year={year}", outsider)
    assert status == 200 and page["items"] == [], "other departments' archives are not listed to staff"
