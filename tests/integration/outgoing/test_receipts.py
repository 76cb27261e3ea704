"""签收: receiving departments confirm receipt; the clerk sees who has not."""

from __future__ import annotations

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.outgoing.storage import InboxItem
from oa_core.platform.storage import RecordItem
from tests.integration.kit import Api, approve, office_clerk, outbox_seen, submit, users_with, wait_status

pytestmark = pytest.mark.integration


def test_a_receiving_department_signs_once_and_the_document_shows_who_has_not(stack: LocalStack) -> None:
    api = Api(stack)
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=["zcfgk", "cwk", "示例市财政局"])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    wait_status(api, doc_id, "archived", drafter)
    clerk = office_clerk()
    before = {d["recipient"]: d["status"] for d in api.document(doc_id, clerk)["deliveries"]}
    assert (before["zcfgk"], before["cwk"]) == ("delivered", "delivered")

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
        saw=outbox_seen(stack),
    )
    assert f"/documents/{doc_id}" in mail[-1]["text"], "the email links to the page where one signs"


def test_an_external_unit_gets_the_sealed_pdf_by_email_when_the_channel_is_email(stack: LocalStack) -> None:
    api = Api(stack)
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=["zcfgk", "示例市教育局", "示例市卫生健康委员会"])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    doc = wait_status(api, doc_id, "archived", drafter)
    clerk = office_clerk()

    def external() -> dict[str, dict[str, object]] | None:
        found = {d["recipient"]: d for d in api.document(doc_id, clerk)["deliveries"] if d["channel"] == "external"}
        return found if all(d["status"] in ("sent", "failed") for d in found.values()) else None

    states = wait_for(external, "both external deliveries to end", FLOW_SECONDS)
    sent, refused = states["示例市教育局"], states["示例市卫生健康委员会"]
    assert (sent["status"], sent["via"], sent["attempts"]) == ("sent", "email", 1) and sent["receipt"]
    assert refused["status"] == "failed" and "未登记收文邮箱" in str(refused["last_error"])
    assert refused["attempts"] == 1, "no address: retrying cannot help"
    mail = wait_for(
        lambda: [m for m in stack.outbox() if "shouwen@jyj.example.gov.cn" in m["to"]],
        "the email to 示例市教育局",
        saw=outbox_seen(stack),
    )
    assert doc["number"] in mail[-1]["subject"] and "来文" in mail[-1]["subject"]
    pdfs = [a for a in mail[-1]["attachments"] if a["content_type"].startswith("application/pdf")]
    assert len(pdfs) == 1 and pdfs[0]["filename"] == f"{doc['number']}.pdf"
    text = mail[-1]["text"]
    assert "make" not in text and "签章公钥指纹" in text and "SHA-256" in text, "how a unit checks the seal"
