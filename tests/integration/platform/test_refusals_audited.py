"""拒绝审计 (等保 2.0 安全审计): every route that reads or changes a 发文, a 收文, a print run or an archive package
answers a signed-in person who may not with 403 and leaves exactly one denied record naming them, the action,
the target, the document and the request's source, whether the domain recorded it or the edge's rule did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infra.local.polling import FLOW_SECONDS
from infra.local.stack import LocalStack
from oa_core.platform.audit import AuditItem
from tests.integration.incoming.flow_kit import decide, instructed, stack, view, wait_incoming
from tests.integration.kit import Api, approve, draft, office_clerk, submit, users_with, wait_for, wait_status
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration
__all__ = ["stack"]
STRANGER = "chenjing"
"""财务科's 会签人: no part of the 收文's plan (政策法规科 leads, 综合科 assists) nor of the 发文 (distributed to
政策法规科 only)."""
DRAFTER = "lina"
AUDITOR = "auditor"
LEAD, ASSIST = "liuyang", "xuhui"


def denied_of(user: str) -> list[AuditItem]:
    return [r for r in AuditItem.by_actor.query(f"ACTOR#{user}") if r.outcome == "denied"]


@pytest.fixture(scope="module")
def subjects(stack: LocalStack) -> dict[str, str]:
    """An archived 发文 with one print run, a 收文 archived with its sheet and a result file, one in 承办."""
    api, clerk = Api(stack), office_clerk()
    doc = submit(api, DRAFTER, title="关于拒绝审计测试的通知", distribute_to=["zcfgk"])
    approve(api, users_with("reviewer")[0], doc, "review")
    approve(api, users_with("signer")[0], doc, "sign")
    wait_status(api, doc, "archived", DRAFTER)
    status, run = api.call("POST", f"/api/documents/{doc}/copies", clerk, {"count": 1})
    assert status == 202, run
    done = instructed(api, stack)
    decide(api, ASSIST, done, "handle", opinion="已提供综合科意见。")
    decide(api, users_with("signer")[1], done, "read", opinion="已阅")
    decide(api, LEAD, done, "handle", opinion="已按要求报送统计数据。")
    decide(api, clerk, done, "check", opinion="同意办结")
    wait_incoming(api, done, "archived")
    handled = [h for h in view(api, done)["handling"]["handlers"] if h.get("files")]
    result_path = handled[0]["files"][0]["path"] if handled else f"/api/incoming/{done}/results/none/0"
    open_one = instructed(api, stack)
    wait_for(lambda: view(api, open_one)["status"] == "handling" or None, "the 收文 in 承办", FLOW_SECONDS)
    return {"doc": doc, "run": str(run["run"]), "done": done, "open": open_one, "result": result_path}


API_ROUTES: list[tuple[str, str, str, Any]] = [
    (STRANGER, "GET", "/api/incoming/{done}", None),
    (STRANGER, "GET", "/api/incoming/{done}/file", None),
    (STRANGER, "GET", "/api/incoming/{done}/sheet", None),
    (AUDITOR, "GET", "/api/incoming/{done}/sheet", None),
    (STRANGER, "GET", "{result}", None),
    (STRANGER, "POST", "/api/incoming/{open}/extensions", {"until": "2099-12-31", "reason": "需要调研"}),
    (STRANGER, "POST", "/api/incoming/{open}/reassign", {"department": "cwk", "reason": "职责调整"}),
    (STRANGER, "POST", "/api/incoming/{open}/replies", "a reply draft"),
    (STRANGER, "POST", "/api/incoming/{open}/resume", {}),
    (STRANGER, "GET", "/api/documents/{doc}", None),
    (STRANGER, "GET", "/api/documents/{doc}/pdf", None),
    (STRANGER, "GET", "/api/documents/{doc}/ofd", None),
    (STRANGER, "GET", "/api/documents/{doc}/docx", None),
    (DRAFTER, "POST", "/api/documents/{doc}/copies", {"count": 2}),
    ("xuhui", "POST", "/api/documents/{doc}/copies", {"count": 2}),
    (DRAFTER, "GET", "/api/documents/{doc}/copies", None),
    ("xuhui", "GET", "/api/documents/{doc}/copies/{run}", None),
    ("sunli", "GET", "/api/documents/{doc}/copies/{run}", None),
    (AUDITOR, "GET", "/api/archive/{doc}/package", None),
    (AUDITOR, "GET", "/api/archive/{doc}/report", None),
]


def _row_id(row: tuple[str, str, str, Any]) -> str:
    return f"{row[0]}-{row[1]}-{row[2]}"


def _exactly_one_denied(user: str, call: Callable[[], tuple[int, Any]], subject: str) -> None:
    before = {r.hash for r in denied_of(user)}
    status, body = call()
    assert status == 403, (status, body)
    new = [r for r in denied_of(user) if r.hash not in before]
    assert len(new) == 1, [(r.action, r.target, r.detail) for r in new]
    record = new[0]
    assert (record.actor, record.outcome, record.document_id) == (user, "denied", subject), record.as_dict()
    assert record.action and record.target and record.source_ip, record.as_dict()


@pytest.mark.parametrize("row", API_ROUTES, ids=_row_id)
def test_a_refused_api_request_leaves_exactly_one_denied_record(
    stack: LocalStack, subjects: dict[str, str], row: tuple[str, str, str, Any]
) -> None:
    user, method, path, body = row
    body = draft(title="关于拒绝审计测试的复函", doc_type="函") if body == "a reply draft" else body
    target = path.format(**subjects)
    subject = next(subjects[k] for k in ("doc", "done", "open") if f"/{subjects[k]}" in target)
    _exactly_one_denied(user, lambda: Api(stack).call(method, target, user, body), subject)


PAGES = [
    (STRANGER, "/incoming/{done}"),
    (STRANGER, "/incoming/{done}/sheet"),
    (STRANGER, "/incoming/{done}/file"),
    (STRANGER, "/incoming/{done}/progress"),
    (STRANGER, "/documents/{doc}"),
    (STRANGER, "/documents/{doc}/pdf"),
    (DRAFTER, "/documents/{doc}/copies"),
    ("sunli", "/documents/{doc}/copies/{run}"),
    (AUDITOR, "/archive/{doc}/package"),
]


@pytest.mark.parametrize("row", PAGES, ids=lambda row: f"{row[0]}-{row[1]}")
def test_a_refused_staff_page_leaves_exactly_one_denied_record(
    stack: LocalStack, subjects: dict[str, str], row: tuple[str, str]
) -> None:
    user, path = row
    target = path.format(**subjects)
    subject = next(subjects[k] for k in ("doc", "done", "open") if f"/{subjects[k]}" in target)
    browser = Browser(stack)
    browser.sign_in(user)

    def call() -> tuple[int, Any]:
        answer = browser.get(target)
        return answer.status, answer.body[:200]

    _exactly_one_denied(user, call, subject)
