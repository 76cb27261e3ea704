"""收文 pages over HTTP: the 文书 finds an exchanged 收文 in 待签收 on the 工作台, reads its 签章 check on the
收文 page, 签收 and then 登记 there (prefilled from the exchange); 文书登记 with an uploaded scan, its bad
inputs refused with nothing stored; 转为收文 of our own 发文 clicked twice at once makes one 收文; the
pages escape what senders typed and show no internal id or English."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from infra.local.messages import HttpResponse
from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.incoming.storage import IncomingItem
from oa_core.outgoing.storage import UploadItem
from oa_core.platform.storage import RecordItem
from tests.integration.incoming.exchange_kit import Relay, issue_to_unit, relay, relayed_call, stack
from tests.integration.kit import Api, approve, at_once, office_clerk, submit, users_with, wait_status
from tests.integration.outgoing.attachment_kit import post_to_s3
from tests.integration.web.test_no_ids_or_english import problems, visible
from tests.integration.web.webkit import Browser, location_path
from tests.support import sample_files as files

pytestmark = pytest.mark.integration
__all__ = ["relay", "stack"]  # the module's fixtures


def incoming_items() -> list[IncomingItem]:
    return [i for i in RecordItem.scan() if isinstance(i, IncomingItem)]


def signed_in(stack: LocalStack, user: str) -> Browser:
    browser = Browser(stack)
    browser.sign_in(user)
    return browser


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    assert found, f"the page has a {name} field"
    return found.group(1)


@pytest.fixture(scope="module")
def exchanged(stack: LocalStack, relay: Relay) -> IncomingItem:
    """Our own 通知 delivered to ourselves by exchange: one 收文 waiting for 签收."""
    doc_id = issue_to_unit(Api(stack), title="关于<开展>校园安全检查的通知")
    relayed_call(relay, doc_id)
    item: IncomingItem = wait_for(
        lambda: next((i for i in incoming_items() if i.source == "exchange" and i.status == "receiving"), None),
        "the exchanged 收文 waiting for 签收",
        FLOW_SECONDS,
    )
    return item


def test_the_clerk_signs_for_and_registers_an_exchanged_incoming_on_its_page(
    stack: LocalStack, exchanged: IncomingItem
) -> None:
    clerk = signed_in(stack, office_clerk())
    path = f"/incoming/{exchanged.incoming_id}"
    wait_for(lambda: path in clerk.get("/").text, "the 工作台 linking the 收文 under 待签收", FLOW_SECONDS)
    home = clerk.get("/").text
    counted = r'id="incoming-receive"><a href="[^"]*/\?step=receive#my-tasks">待签收</a> <span class="count">1'
    assert re.search(counted, home), "待签收 counts the 收文 and filters 我的待办 to it"
    row = re.search(r'class="meta incoming-facts">(.*?)</span>\s*</td>', home, re.S)
    assert row and exchanged.sender in row.group(1) and exchanged.sender_number in row.group(1), home
    assert '<span class="seal seal-valid">签章有效</span>' in row.group(1)
    filtered = clerk.get("/?step=receive").text
    assert path in filtered and 'id="tasks-filter"' in filtered and "显示全部待办" in filtered
    assert path not in clerk.get("/?step=read").text
    page = clerk.get(path)
    assert page.status == 200, page.text[:300]
    assert "签章有效" in page.text and exchanged.seal_fingerprint in page.text
    assert "关于&lt;开展&gt;校园安全检查的通知" in page.text and "<开展>" not in page.text, "the title is escaped"
    assert exchanged.sender_number in page.text and 'id="receive-form"' in page.text
    file = clerk.get(f"{path}/file")
    assert file.status == 200 and file.headers["Content-Type"] == "application/pdf" and file.body.startswith(b"%PDF-")
    form = {"csrf": clerk.csrf(page), "task_id": field(page.text, "task_id")}
    form["form_token"] = field(page.text, "form_token")
    signed = clerk.post(f"{path}/decision", {**form, "decision": "approve"})
    assert signed.status == 303 and location_path(signed).startswith(path), signed.text[:300]
    again = clerk.post(f"{path}/decision", {**form, "decision": "approve"})
    assert again.status == 303, "the same form sent again lands where the first went, deciding nothing more"
    register = wait_for(
        lambda: (p := clerk.get(path).text) and ('id="register-form"' in p) and p, "the 登记 form", FLOW_SECONDS
    )
    assert field(register, "sender") == exchanged.sender and field(register, "sender_number") == exchanged.sender_number
    registered = clerk.post(
        f"{path}/decision",
        {"csrf": clerk.csrf(clerk.get(path)), "task_id": field(register, "task_id"), "decision": "approve",
         "sender": exchanged.sender, "sender_number": exchanged.sender_number, "title": exchanged.title,
         "urgency": "", "classification": "非密", "copies": "2", "deadline": "2099-12-31"},
    )  # fmt: skip
    assert registered.status == 303, registered.text[:500]
    shown = clerk.get(path).text
    assert re.search(r"收〔\d{4}〕\d+号", shown) and "2099-12-31" in shown
    assert not problems(path, visible(shown), {exchanged.incoming_id, *users_with("clerk")})


def scan_ticket(browser: Browser, stack: LocalStack, incoming_id: str, filename: str, data: bytes) -> Any:
    import json

    page = browser.get("/incoming/new")
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()), "X-CSRF-Token": browser.csrf(page)}
    body = json.dumps({"incoming_id": incoming_id, "filename": filename, "size": len(data)})
    answer = stack.invoke_http("POST", "/incoming/new/uploads", body=body, headers=headers)
    return answer.status, json.loads(answer.text)


def test_a_paper_incoming_is_registered_with_its_scan_and_bad_inputs_store_nothing(stack: LocalStack) -> None:
    clerk = signed_in(stack, office_clerk())
    form_page = clerk.get("/incoming/new")
    assert form_page.status == 200 and 'id="incoming-new-form"' in form_page.text
    incoming_id = field(form_page.text, "incoming_id")
    status, refused = scan_ticket(clerk, stack, incoming_id, "来文.docx", files.docx())
    assert status == 422 and "PDF" in refused["error"]["message"], refused
    status, ticket = scan_ticket(clerk, stack, incoming_id, "来文扫描件.pdf", files.pdf("scan"))
    assert status == 201, ticket
    assert post_to_s3(stack, ticket, "来文扫描件.pdf", files.pdf("scan")) == 204
    good = {"csrf": clerk.csrf(form_page), "incoming_id": incoming_id, "upload": ticket["upload"],
            "sender": "示例市<财政局>", "sender_number": "示财〔2026〕8号", "title": "关于报送预算的通知",
            "urgency": "加急", "classification": "非密", "received_on": "2026-01-05", "copies": "3",
            "deadline": "2026-02-01"}  # fmt: skip
    before = len(incoming_items())
    for change, words in (
        ({"classification": "秘密"}, "涉密"),
        ({"received_on": "2999-01-01"}, "收文日期"),
        ({"deadline": "2025-12-31"}, "办理时限"),
        ({"copies": "0"}, "份数"),
        ({"title": ""}, "标题"),
        ({"upload": ""}, "扫描件"),
        ({"upload": "0" * 32}, "上传"),
    ):
        bad = clerk.post("/incoming/new", {**good, **change})
        assert 400 <= bad.status < 500, (change, bad.status, bad.text[:300])
        assert words in visible(bad.text), (change, visible(bad.text)[:600])
        assert not problems(f"refused {change}", visible(bad.text), {incoming_id})
    assert len(incoming_items()) == before, "a refused registration stores no 收文"
    drafter = signed_in(stack, next(u for u in users_with("drafter") if u != office_clerk()))
    assert drafter.get("/incoming/new").status == 403
    done = clerk.post("/incoming/new", good)
    assert done.status == 303 and location_path(done).startswith(f"/incoming/{incoming_id}"), done.text[:500]
    item = next(i for i in incoming_items() if i.incoming_id == incoming_id)
    assert (item.source, item.status, item.copies, item.urgency) == ("registered", "receiving", 3, "加急")
    page = clerk.get(f"/incoming/{incoming_id}").text
    assert "示例市&lt;财政局&gt;" in page and "无电子签章" in page
    assert not [u for u in UploadItem.scan() if u.document_id == incoming_id], "the upload is used up"
    assert not problems("/incoming/new", visible(form_page.text), {incoming_id})


def test_our_own_distributed_document_taken_up_twice_at_once_makes_one_incoming(stack: LocalStack) -> None:
    api = Api(stack)
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=["zhk"], title="关于做好年终考核工作的通知")
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    wait_status(api, doc_id, "archived", drafter)
    clerks = [signed_in(stack, "xuhui") for _ in range(2)]
    page = clerks[0].get(f"/documents/{doc_id}")
    assert 'id="take-up-form"' in page.text, "the department's 文书 is offered 转为收文"
    assert 'id="take-up-form"' not in signed_in(stack, drafter).get(f"/documents/{doc_id}").text
    csrfs = [c.csrf(c.get(f"/documents/{doc_id}")) for c in clerks]

    def take_up(browser: Browser, csrf: str) -> Callable[[], HttpResponse]:
        return lambda: browser.post(f"/documents/{doc_id}/incoming", {"csrf": csrf})

    answers = at_once([take_up(c, t) for c, t in zip(clerks, csrfs, strict=True)])
    assert sorted(a.status for a in answers) == [303, 409], [a.status for a in answers]
    made = [i for i in incoming_items() if i.source == "internal" and i.title == "关于做好年终考核工作的通知"]
    assert len(made) == 1 and made[0].seal_valid and made[0].seal_pinned == "match"
    assert "本部门已将该文件转为收文办理" in clerks[0].get(f"/documents/{doc_id}").text
    status, _ = api.call("POST", f"/api/documents/{doc_id}/incoming", "xuhui")
    assert status == 409
