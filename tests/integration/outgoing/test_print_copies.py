"""打印份数 through the local stack: after 印制 the office's 文书 asks for a print run; the request takes the next
份号 range (two runs at once get disjoint ranges) and answers at once with the run 印制中; CopiesFlow has the real
Typeset function render it (Step Functions' Retry on the Lambda service's faults) into one sealed PDF of its
numbered copies, measured with pypdf; a render failing for good marks the run failed and its range is never handed
out again; anyone else gets 403, and before 印制 409, in Chinese. Every wait is on a condition with a deadline."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from infra.local.stack import LocalStack
from oa_core.outgoing import copies, copies_render
from oa_core.platform.audit import AuditItem
from oa_core.publishing import seal
from oa_core.publishing.grid import TEXT_LEFT, baseline
from tests.integration.kit import Api, approve, at_once, office_clerk, submit, users_with, wait_for, wait_status
from tests.integration.web.webkit import Browser, location_path
from tests.unit.publishing.pdf_reading import spans

pytestmark = pytest.mark.integration
RENDER_SECONDS = 120.0
"""A run through CopiesFlow: Retry waits of 2 + 4 + 8 s at most, and a few copies typeset (≈4 s of CPU idle)."""


@pytest.fixture(scope="module")
def issued(stack: LocalStack) -> dict[str, object]:
    api = Api(stack)
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, title="关于打印份数测试的通知")
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    return wait_status(api, doc_id, "archived", drafter)


def runs(api: Api, doc_id: str) -> list[dict[str, Any]]:
    status, body = api.call("GET", f"/api/documents/{doc_id}/copies", office_clerk())
    assert status == 200, body
    return list(body["items"])


def settled(api: Api, doc_id: str) -> list[dict[str, Any]]:
    """Every run of the document once none is 印制中 any more (none at all counts as settled)."""

    def check() -> dict[str, list[dict[str, Any]]] | None:
        items = runs(api, doc_id)
        return {"runs": items} if all(r["status"] != "printing" for r in items) else None

    found = wait_for(check, f"every print run of {doc_id} settled", RENDER_SECONDS, saw=lambda: runs(api, doc_id))
    return list(found["runs"])


def next_run(api: Api, doc_id: str) -> str:
    """The run id (first 份号) the next request will get, once the earlier runs have settled."""
    return f"{max((int(r['last']) for r in settled(api, doc_id)), default=0) + 1:06d}"


def run_state(api: Api, doc_id: str, run: str, status: str) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        return next((r for r in runs(api, doc_id) if r["run"] == run and r["status"] == status), None)

    return dict(wait_for(reached, f"print run {run} of {doc_id} to be {status}", RENDER_SECONDS))


def numbered_first_pages(data: bytes) -> list[tuple[str, float, float, float]]:
    """Each 6-digit 份号 in the PDF with its x, baseline y (mm) and size (pt), in page order."""
    return [
        (s.text, s.x, s.y, s.size)
        for page in PdfReader(io.BytesIO(data)).pages
        for s in spans(page)
        if re.fullmatch(r"\d{6}", s.text)
    ]


def copies_execution(stack: LocalStack, doc_id: str, run: str) -> tuple[str, list[dict[str, Any]]]:
    arn = stack.state_machine_arn.replace("DocumentFlow", "CopiesFlow")
    execution = next(
        e for e in stack.sfn.list_executions(stateMachineArn=arn)["executions"] if e["name"] == f"copies-{doc_id}-{run}"
    )
    described = stack.sfn.describe_execution(executionArn=execution["executionArn"])
    history = stack.sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]
    return str(described["status"]), [dict(e) for e in history]


def audited(doc_id: str, action: str) -> list[tuple[str, str]]:
    return [(i.actor, i.detail) for i in AuditItem.by_subject.query(f"SUBJECT#{doc_id}") if i.action == action]


def test_a_print_run_answers_at_once_as_printing_and_typeset_renders_its_numbered_copies_into_one_sealed_pdf(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    api, clerk, doc_id = Api(stack), office_clerk(), str(issued["document_id"])
    run = next_run(api, doc_id)
    # The Lambda service throttles the render twice: CopiesFlow's Retry waits 2 s, then 4 s, before it is rendered.
    stack.inject_invoke_faults("TypesetFunction", 2, only_for={"action": "copies", "run": run})
    status, asked = api.call("POST", f"/api/documents/{doc_id}/copies", clerk, {"count": 3})
    assert status == 202 and asked["status"] == "printing" and asked["run"] == run, asked
    first = int(asked["first"])
    assert (asked["first"], asked["last"]) == (run, f"{first + 2:06d}") and asked["count"] == 3

    status, body = api.call("GET", asked["download"], clerk)
    assert status == 409 and body["error"]["message"] == "正在印制，请稍候", body

    done = run_state(api, doc_id, run, "done")
    assert done["finished_at"], done
    response = stack.invoke_http("GET", asked["download"], user_id=clerk)
    assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"
    _unsealed, block = seal.split_sealed_pdf(response.body)
    assert block is not None and block["copies"] == f"{asked['first']}-{asked['last']}", "sealed once, the range named"

    pages = PdfReader(io.BytesIO(response.body)).pages
    numbers = numbered_first_pages(response.body)
    assert [n[0] for n in numbers] == [f"{first + i:06d}" for i in range(3)], "each copy its 份号, once"
    assert len(pages) % 3 == 0, "three whole copies"
    for text, x, y, size in numbers:
        assert abs(x - TEXT_LEFT) < 0.3 and abs(y - baseline(0)) < 0.3, (
            f"{text} 顶格 on the first line: {x:.2f}, {y:.2f}"
        )
        assert abs(size - 16) < 0.01, "三号"

    status_, history = copies_execution(stack, doc_id, run)
    failed = [e for e in history if e["type"] == "TaskFailed"]
    assert status_ == "SUCCEEDED" and len(failed) == 2, (status_, failed)
    assert all("TooManyRequests" in e["taskFailedEventDetails"]["error"] for e in failed)
    assert (clerk, f"3份，份号{asked['first']}至{asked['last']}") in audited(doc_id, "print_copies")
    assert any(
        detail.startswith(f"份号{asked['first']}至{asked['last']}") for _, detail in audited(doc_id, "copies_printed")
    )

    original = stack.invoke_http("GET", f"/api/documents/{doc_id}/pdf", user_id=clerk).body
    assert numbered_first_pages(original) == [], "the sealed original stays unnumbered"


def test_two_print_runs_asked_at_once_get_disjoint_ranges_and_each_pdf_carries_its_own(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    api, clerk, doc_id = Api(stack), office_clerk(), str(issued["document_id"])
    results = at_once(
        [lambda: api.call("POST", f"/api/documents/{doc_id}/copies", clerk, {"count": 2}) for _ in range(2)],
        seconds_each=30.0,
    )
    assert [status for status, _ in results] == [202, 202], results
    numbers = [set(range(int(run["first"]), int(run["last"]) + 1)) for _, run in results]
    assert all(len(n) == 2 for n in numbers) and not numbers[0] & numbers[1], f"disjoint ranges: {numbers}"
    for _, asked in results:
        run_state(api, doc_id, asked["run"], "done")
        pdf = stack.invoke_http("GET", asked["download"], user_id=clerk).body
        assert [n[0] for n in numbered_first_pages(pdf)] == [asked["first"], asked["last"]]


def test_a_render_failing_for_good_marks_the_run_failed_and_its_numbers_are_never_handed_out_again(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    api, clerk, doc_id = Api(stack), office_clerk(), str(issued["document_id"])
    run = next_run(api, doc_id)
    # The first attempt and CopiesFlow's three retries all refused by the Lambda service: the Catch takes over.
    stack.inject_invoke_faults("TypesetFunction", 4, only_for={"action": "copies", "run": run})
    status, asked = api.call("POST", f"/api/documents/{doc_id}/copies", clerk, {"count": 2})
    assert status == 202 and asked["run"] == run, asked

    failed = run_state(api, doc_id, run, "failed")
    status, body = api.call("GET", asked["download"], clerk)
    assert status == 409 and body["error"]["code"] == "copies_failed", body
    assert (
        body["error"]["message"]
        == f"这次打印未能生成（份号{asked['first']}至{asked['last']}已作废，不再使用），请重新打印"
    )
    execution_status, _history = copies_execution(stack, doc_id, run)
    assert execution_status == "FAILED", "the ops alarm CopiesFlowFailed counts it"
    assert any(actor == "system" and detail.startswith(run) for actor, detail in audited(doc_id, "copies_failed"))
    # A late or repeated render of the failed run changes nothing; a repeated start is refused by Step Functions.
    assert copies_render.render(doc_id, run) == {"status": "failed"}
    copies._start(copies.get_run(doc_id, run))
    assert copies_execution(stack, doc_id, run)[0] == "FAILED" and runs(api, doc_id)[-1]["status"] == "failed"

    status, again = api.call("POST", f"/api/documents/{doc_id}/copies", clerk, {"count": 1})
    assert status == 202 and int(again["first"]) == int(failed["last"]) + 1, (failed, again)
    run_state(api, doc_id, again["run"], "done")


def test_only_the_office_clerk_prints_and_downloads_copies_and_only_after_printing_with_chinese_refusals(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    api, doc_id = Api(stack), str(issued["document_id"])
    done = next(r for r in settled(api, doc_id) if r["status"] == "done")
    for other in (users_with("drafter")[0], users_with("signer")[0]):
        status, body = api.call("POST", f"/api/documents/{doc_id}/copies", other, {"count": 1})
        assert status == 403 and "办公室文书" in body["error"]["message"], (other, body)
        for path in (f"/api/documents/{doc_id}/copies", done["download"]):
            status, body = api.call("GET", path, other)
            assert status == 403 and "办公室文书" in body["error"]["message"], (other, path, body)
    for bad in ({"count": 0}, {"count": 501}, {"count": "三"}, {}):
        status, body = api.call("POST", f"/api/documents/{doc_id}/copies", office_clerk(), bad)
        assert status == 422, (bad, body)
    for unknown in ("999999", "12"):
        status, body = api.call("GET", f"/api/documents/{doc_id}/copies/{unknown}", office_clerk())
        assert status == 404 and body["error"]["message"] == "没有这次打印", body

    draft = submit(api, users_with("drafter")[0], title="关于尚未印制的份数测试的通知")
    status, body = api.call("POST", f"/api/documents/{draft}/copies", office_clerk(), {"count": 1})
    assert status == 409 and "尚未印制" in body["error"]["message"], body


def test_the_document_page_lists_each_run_with_its_state_and_refreshes_the_list_until_it_is_rendered(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    doc_id, clerk = str(issued["document_id"]), office_clerk()
    drafter = Browser(stack)
    drafter.sign_in(users_with("drafter")[0])
    assert 'id="copies-form"' not in drafter.get(f"/documents/{doc_id}").text, "only the office's 文书 sees it"

    run = next_run(Api(stack), doc_id)
    stack.inject_invoke_faults("TypesetFunction", 1, only_for={"action": "copies", "run": run})  # 2 s 印制中 at least
    browser = Browser(stack)
    browser.sign_in(clerk)
    page = browser.get(f"/documents/{doc_id}")
    assert 'id="copies-form"' in page.text and "打印份数" in page.text
    posted = browser.post(f"/documents/{doc_id}/copies", {"csrf": browser.csrf(page), "count": "2"})
    assert posted.status == 303, posted.text
    shown = browser.get(location_path(posted))
    asked = re.search(r"已分配份号 (\d{6}) 至 (\d{6})（共 2 份），正在印制", shown.text)
    assert asked and asked.group(1) == run, shown.text[:2000]
    fragment = f"/documents/{doc_id}/copies"
    assert f'data-refresh="{fragment}"' in shown.text or f'data-refresh="/prod{fragment}"' in shown.text
    assert "正在印制，请稍候" in shown.text

    link = f"/documents/{doc_id}/copies/{run}"
    rendered = wait_for(
        lambda: (lambda text: text if "data-refresh" not in text else None)(browser.get(fragment).text),
        "the 打印份数 list to stop refreshing once the run is rendered",
        RENDER_SECONDS,
    )
    assert link in rendered and "已生成，可下载打印" in rendered
    download = browser.get(link)
    assert download.status == 200 and download.headers["Content-Type"] == "application/pdf"
    assert [n[0] for n in numbered_first_pages(download.body)] == [asked.group(1), asked.group(2)]

    refused = browser.post(f"/documents/{doc_id}/copies", {"csrf": browser.csrf(shown), "count": "0"})
    assert refused.status == 422 and "份数应为 1 至 500 之间的整数" in refused.text
    assert drafter.get(fragment).status == 403
