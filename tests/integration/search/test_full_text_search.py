"""检索 end to end: a document archived by the flow is found by words of its 正文 ("安全 检查"), by its
发文字号 however it is written, by a phrase of its attachment; not by someone who may not read it; and a
changed document is no longer found by the words it lost."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.search import indexing
from tests.integration.kit import Api, approve, pending_task, submit, users_with, wait_status
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration

DRAFTER = "lina"
"""拟稿人 of 政策法规科 (zcfgk)."""
STRANGER = "xuhui"
"""文书 of 综合科: not the 办公室, no part of the documents below."""
BODY = "一、开展全市校园安全检查，重点排查实验室危化品。\n二、各单位于十月底前报送检查情况。"


def _search(api: Api, user: str, q: str, scope: str = "archive") -> dict[str, Any]:
    status, reply = api.call("GET", f"/api/search?q={quote(q)}&scope={scope}", user)
    assert status == 200, reply
    return dict(reply)


def _found(reply: dict[str, Any]) -> list[str]:
    return [hit["document_id"] for hit in reply["items"]]


@pytest.fixture(scope="module")
def archived(stack: LocalStack) -> dict[str, Any]:
    api = Api(stack)
    doc_id = submit(api, DRAFTER, title="关于开展校园安全检查的通知", body=BODY, distribute_to=[])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    archived = wait_status(api, doc_id, "archived", DRAFTER)
    # The archive step indexes right after the archive transaction that sets the status: wait for 档案.
    wait_for(
        lambda: doc_id in _found(_search(api, DRAFTER, "危化品")),
        "the archived document indexed in 档案 (the archive step indexes after setting the status)",
    )
    return archived


@pytest.mark.parametrize("q", ["安全 检查", "安全检查", "危化品", "校园"])
def test_an_archived_document_is_found_by_words_of_its_body(api: Api, archived: dict[str, Any], q: str) -> None:
    reply = _search(api, DRAFTER, q)
    assert archived["document_id"] in _found(reply), reply
    hit = next(h for h in reply["items"] if h["document_id"] == archived["document_id"])
    assert "<mark>" in hit["passage_html"] and hit["number"] == archived["number"]


def test_a_two_word_query_marks_both_words_in_the_passage(api: Api, archived: dict[str, Any]) -> None:
    hit = _search(api, DRAFTER, "安全 检查")["items"][0]
    assert "<mark>安全检查</mark>" in hit["passage_html"] or "<mark>检查</mark>" in hit["passage_html"]
    assert "<mark>安全</mark>" in hit["title_html"] or "<mark>安全检查</mark>" in hit["title_html"]


def test_the_number_is_found_however_its_brackets_and_digits_are_written(api: Api, archived: dict[str, Any]) -> None:
    number = str(archived["number"])  # e.g. 示例办发〔2026〕1号
    issuer, _, rest = number.partition("〔")
    year, _, seq = rest.partition("〕")
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    spellings = [number, f"{issuer}[{year}]{seq}", f"{issuer}({year}){seq}", f"{issuer}（{year.translate(wide)}）{seq}"]
    for spelling in spellings:
        assert archived["document_id"] in _found(_search(api, DRAFTER, spelling)), spelling


def test_someone_who_may_not_read_it_neither_finds_nor_counts_it(api: Api, archived: dict[str, Any]) -> None:
    for scope in ("archive", "outgoing"):
        reply = _search(api, STRANGER, "危化品", scope)
        assert archived["document_id"] not in _found(reply) and reply["total"] == 0, reply
    archivist = users_with("archivist")[0]
    assert archived["document_id"] in _found(_search(api, archivist, "危化品"))


def test_a_phrase_only_in_an_attachment_finds_the_document_until_the_attachment_goes(
    api: Api, archived: dict[str, Any]
) -> None:
    doc_id = archived["document_id"]
    assert _found(_search(api, DRAFTER, "消防通道")) == []
    indexing.index_attachment_text(doc_id, "检查表.pdf", "附表：消防通道与应急照明的安全检查记录")
    hit = _search(api, DRAFTER, "消防通道")["items"][0]
    assert hit["document_id"] == doc_id and "<mark>消防通道</mark>" in hit["passage_html"]
    indexing.remove_attachment_text(doc_id, "检查表.pdf")
    assert _found(_search(api, DRAFTER, "消防通道")) == []
    assert doc_id in _found(_search(api, DRAFTER, "危化品")), "its own words stay"


def test_a_revised_document_is_no_longer_found_by_the_words_it_lost(api: Api) -> None:
    reviewer = users_with("reviewer")[0]
    doc_id = submit(api, DRAFTER, title="关于食堂卫生整改的通知", body="一、整改后厨排烟管道。")
    task = pending_task(api, reviewer, doc_id, "review")
    assert doc_id in _found(_search(api, DRAFTER, "排烟管道", "outgoing"))
    status, reply = api.decide(task["task_id"], reviewer, "return", "改为冷库")
    assert status == 200, reply
    pending_task(api, DRAFTER, doc_id, "revise")
    status, reply = api.call("POST", f"/api/documents/{doc_id}/revision", DRAFTER, {"body": "一、整改冷库温控设备。"})
    assert status == 200, reply
    pending_task(api, reviewer, doc_id, "review")
    assert doc_id not in _found(_search(api, DRAFTER, "排烟管道", "outgoing"))
    assert doc_id in _found(_search(api, DRAFTER, "冷库", "outgoing"))
    assert _found(_search(api, DRAFTER, "冷库", "archive")) == [], "not archived: not in 档案"


def test_bad_input_is_a_clear_422(api: Api) -> None:
    for path in ("/api/search?q=x&scope=elsewhere", "/api/search?q=安全&page=0", "/api/search?q=" + "字" * 101):
        status, reply = api.call("GET", path, DRAFTER)
        assert status == 422 and reply["error"]["message"], (path, reply)


def test_the_search_page_shows_the_marked_passage_linked_from_every_staff_page(
    stack: LocalStack, archived: dict[str, Any]
) -> None:
    browser = Browser(stack)
    browser.sign_in(DRAFTER)
    assert 'href="/search"' in browser.get("/").text and 'href="/search' in browser.get("/archive").text
    found = browser.get(f"/search?q={quote('安全 检查')}&scope=archive")
    assert found.status == 200 and f'href="/documents/{archived["document_id"]}"' in found.text
    assert "<mark>" in found.text and "共 1 件" in found.text
    bad = browser.get("/search?q=x&scope=elsewhere")
    assert bad.status == 422 and "检索范围" in bad.text


def test_whoever_holds_a_task_of_the_document_finds_it_as_its_page_lets_them_read_it(
    api: Api, archived: dict[str, Any]
) -> None:
    """A 委托 or 转办 hands a task to someone the document does not name: the document page lets every
    task holder read it, and an archived document's postings name them (its next update, at the latest
    its 归档)."""
    from datetime import timedelta

    from oa_core.platform import clock
    from oa_core.workflow import tasks

    doc_id, holder = archived["document_id"], "yangfan"
    assert _found(_search(api, holder, "危化品")) == []
    due = clock.now() + timedelta(days=1)
    task = tasks.new_task(
        doc_id, f"{doc_id}.sign.9", title="", step="sign", assignee=holder, round_no=1, task_token="t", due=due
    )
    task.status = "decided"
    task.save()
    indexing.index_document(doc_id)
    assert doc_id in _found(_search(api, holder, "危化品"))
    assert api.call("GET", f"/api/documents/{doc_id}", holder)[0] == 200, "the page agrees"
