"""收文 in 全文检索: a 收文 is found once 登记'd by its 标题, 来文单位, 来文字号 (however written), 收文编号 and
the received PDF's text, then by its 拟办意见, 批示 and 办理结果 as they are added; its hits carry the scope
收文; only those who may read it (the 收文 page's rule) find or count it: not another department, the 承办
department once it is with them, 档案员 once archived."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from tests.integration.incoming.flow_kit import OFFICE_HEAD, decide, leader, plan, registered, stack, wait_incoming
from tests.integration.kit import Api, office_clerk, users_with
from tests.support import sample_files

pytestmark = pytest.mark.integration
__all__ = ["stack"]

TITLE = "关于报送2026年度校舍抗震加固进度的通知"
STRANGER = "chenjing"
"""财务科's 会签人: no part of the 收文 below (its 承办 departments are 政策法规科 and 综合科)."""
HANDLER_COLLEAGUE = "lina"
"""拟稿人 of 政策法规科, the 主办 department, holding none of the 收文's tasks."""
ARCHIVIST = "gaoyan"


def _search(api: Api, user: str, q: str, scope: str = "incoming") -> dict[str, Any]:
    status, reply = api.call("GET", f"/api/search?q={quote(q)}&scope={scope}", user)
    assert status == 200, reply
    return dict(reply)


def _ids(reply: dict[str, Any]) -> list[str]:
    return [hit["document_id"] for hit in reply["items"]]


def _found_by(api: Api, user: str, q: str, incoming_id: str, what: str) -> dict[str, Any]:
    reply: dict[str, Any] = {}

    def found() -> dict[str, Any] | None:
        reply.update(_search(api, user, q))
        return next((h for h in reply["items"] if h["document_id"] == incoming_id), None)

    return dict(wait_for(found, what, FLOW_SECONDS, saw=lambda: str(reply)))


@pytest.fixture(scope="module")
def received(stack: LocalStack) -> dict[str, Any]:
    api = Api(stack)
    pdf = sample_files.pdf("Seismic retrofit schedule <b>quarterly</b>")
    incoming_id = registered(api, stack, TITLE, pdf)
    clerk = office_clerk()
    hit = _found_by(api, clerk, "抗震加固", incoming_id, "the registered 收文 indexed when 拟办 opens")
    return {"api": api, "incoming_id": incoming_id, "hit": hit, "clerk": clerk}


def test_a_registered_incoming_document_is_found_by_its_title_with_the_scope_tag(received: dict[str, Any]) -> None:
    hit = received["hit"]
    assert hit["scope"] == "incoming" and hit["scope_name"] == "收文"
    assert hit["number"].startswith("收〔") and hit["sender"] == "示例市教育局"
    assert hit["sender_number"] == "示例教发〔2026〕12号"
    assert "<mark>" in hit["title_html"]


@pytest.mark.parametrize(
    "q", ["示例教发〔2026〕12号", "示例教发[2026]12号", "示例教发（２０２６）12号", "教育局", "quarterly"]
)
def test_it_is_found_by_its_sender_its_sender_number_however_written_and_its_received_text(
    received: dict[str, Any], q: str
) -> None:
    assert received["incoming_id"] in _ids(_search(received["api"], received["clerk"], q))


def test_it_is_found_by_its_own_received_number(received: dict[str, Any]) -> None:
    number = received["hit"]["number"]
    assert received["incoming_id"] in _ids(_search(received["api"], received["clerk"], number))


def test_the_received_text_passage_is_escaped(received: dict[str, Any]) -> None:
    hit = next(h for h in _search(received["api"], received["clerk"], "quarterly")["items"])
    assert "<b>" not in hit["passage_html"] and "&lt;b&gt;" in hit["passage_html"]
    assert "<mark>quarterly</mark>" in hit["passage_html"]


def test_scope_all_holds_it_and_scope_outgoing_does_not(received: dict[str, Any]) -> None:
    api, clerk, incoming_id = received["api"], received["clerk"], received["incoming_id"]
    assert incoming_id in _ids(_search(api, clerk, "抗震加固", "all"))
    assert incoming_id not in _ids(_search(api, clerk, "抗震加固", "outgoing"))


def test_an_unknown_scope_is_422_in_chinese(received: dict[str, Any]) -> None:
    status, reply = received["api"].call("GET", "/api/search?q=抗震&scope=elsewhere", received["clerk"])
    assert status == 422 and "检索范围" in str(reply)


def test_who_finds_it_follows_who_may_read_it_from_proposal_to_the_archive(received: dict[str, Any]) -> None:
    api, clerk, incoming_id = received["api"], received["clerk"], received["incoming_id"]
    for person in (STRANGER, HANDLER_COLLEAGUE, ARCHIVIST):
        for scope in ("incoming", "all"):
            reply = _search(api, person, "抗震加固", scope)
            assert incoming_id not in _ids(reply) and reply["total"] == 0, (person, reply)
    decide(api, OFFICE_HEAD, incoming_id, "propose", opinion="拟请政策法规科牵头核对危房台账。", plan=plan())
    _found_by(api, clerk, "危房台账", incoming_id, "the 拟办意见 indexed when 批办 opens")
    decide(api, leader(), incoming_id, "instruct", opinion="同意，务必逐校复核。")
    _found_by(api, clerk, "逐校复核", incoming_id, "the 批示 indexed when 承办 opens")
    # With its 承办 departments now: 政策法规科's staff find it; 财务科 still neither finds nor counts it.
    _found_by(api, HANDLER_COLLEAGUE, "抗震加固", incoming_id, "the 承办 department finds it")
    reply = _search(api, STRANGER, "抗震加固", "all")
    assert incoming_id not in _ids(reply) and reply["total"] == 0, reply
    decide(api, "xuhui", incoming_id, "handle", opinion="综合科已汇总校舍清单。")
    decide(api, users_with("signer")[1], incoming_id, "read", opinion="已阅")
    decide(api, "liuyang", incoming_id, "handle", opinion="已完成加固进度统计并上报。")
    _found_by(api, clerk, "校舍清单", incoming_id, "each department's 办理结果 indexed when 办结审核 opens")
    decide(api, clerk, incoming_id, "check", opinion="同意归档")
    wait_incoming(api, incoming_id, "archived")
    _found_by(api, ARCHIVIST, "抗震加固", incoming_id, "档案员 find it once archived")
    assert incoming_id not in _ids(_search(api, STRANGER, "抗震加固", "incoming"))


def test_the_search_page_searches_all_by_default_and_tags_an_incoming_hit(
    stack: LocalStack, received: dict[str, Any]
) -> None:
    from tests.integration.web.webkit import Browser

    browser = Browser(stack)
    browser.sign_in(received["clerk"])
    page = browser.get(f"/search?q={quote('抗震加固')}")
    assert page.status == 200, page.text
    assert 'value="all" checked' in page.text and "全部" in page.text
    assert '<span class="scope-tag scope-incoming">收文</span>' in page.text
    assert f'/incoming/{received["incoming_id"]}"' in page.text and "来文单位 示例市教育局" in page.text
