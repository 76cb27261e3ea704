"""签收: receiving departments confirm receipt; the clerk sees who has not."""

from __future__ import annotations

import pytest

from infra.local.stack import LocalStack
from infra.polling import wait_for
from oa_core.storage import InboxItem, RecordItem
from tests.integration.core.flowkit import Api, approve, submit, users_with, wait_status

pytestmark = pytest.mark.integration


def test_a_receiving_department_signs_once_and_the_document_shows_who_has_not(stack: LocalStack) -> None:
    api = Api(stack)
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=["zcfgk", "cwk", "市财政局"])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    wait_status(api, doc_id, "archived", drafter)
    clerk = users_with("clerk")[0]
    before = {d["recipient"]: d["status"] for d in api.document(doc_id, clerk)["deliveries"]}
    assert before == {"zcfgk": "delivered", "cwk": "delivered", "市财政局": "pending_external"}

    status, receipt = api.call("POST", f"/api/documents/{doc_id}/receipt", "liuyang")  # 政策法规科
    assert status == 200, receipt
    assert receipt["status"] == "received" and receipt["received_by"] == "liuyang"
    status, again = api.call("POST", f"/api/documents/{doc_id}/receipt", "lina")  # 政策法规科 too
    assert status == 200 and again["received_by"] == "liuyang", "one 签收 per department, the first stands"
    status, refused = api.call("POST", f"/api/documents/{doc_id}/receipt", "huangmin")  # 综合科
    assert status == 403 and "没有分发给您所在的部门" in refused["error"]["message"]

    after = {d["recipient"]: (d["status"], d["received_by"]) for d in api.document(doc_id, clerk)["deliveries"]}
    assert after["zcfgk"] == ("received", "liuyang")
    assert after["cwk"] == ("delivered", ""), "the clerk sees that 财务科 has not signed"
    inbox = [i for i in RecordItem.query("INBOX#zcfgk") if isinstance(i, InboxItem) and i.document_id == doc_id]
    assert [(i.status, i.received_by) for i in inbox] == [("received", "liuyang")]
    mail = wait_for(
        lambda: [m for m in stack.outbox() if "chenjing@example.gov.cn" in m["to"] and "收文" in m["subject"]],
        "the distribution email",
    )
    assert f"/documents/{doc_id}" in mail[-1]["text"], "the email links to the page where one signs"
