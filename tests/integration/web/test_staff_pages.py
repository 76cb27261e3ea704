"""The staff pages over HTTP: sign-in, sessions, CSRF, escaping, access control, 拟稿 to decision."""

from __future__ import annotations

import html
import re
from typing import Any

import markupsafe
import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.identity.storage import SessionItem
from oa_core.platform.storage import RecordItem
from tests.integration.kit import Api, approve, office_clerk, pending_task, submit, users_with, wait_status
from tests.integration.web.webkit import Browser, location_path

pytestmark = pytest.mark.integration

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def form_for(reviewer: str, signer: str, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "doc_type": "请示",
        "title": "关于购置办公设备的请示",
        "body": "因工作需要，拟购置办公设备一批。\n\n妥否，请批示。",
        "main_recipients": "市人民政府办公室",
        "cc": "",
        "urgency": "加急",
        "classification": "非密",
        "attachment_note": "附件：办公设备清单",
        "reviewer": reviewer,
        "signer": signer,
        "countersign_mode": "parallel",
        "distribute_to": ["bgs"],
    }
    return {**fields, **overrides}


@pytest.fixture
def drafter(stack: LocalStack) -> Browser:
    browser = Browser(stack)
    browser.sign_in(users_with("drafter")[0])
    return browser


def test_every_page_but_sign_in_sends_a_stranger_to_sign_in(stack: LocalStack) -> None:
    stranger = Browser(stack)
    for path in ("/", "/documents/new", "/documents/20260101-0000000000", "/archive"):
        response = stranger.get(path)
        assert response.status == 303, path
        assert location_path(response).startswith("/login?next=")
    refused = stranger.post("/documents/new", {"title": "x"})
    assert refused.status == 401
    assert "请先登录" in refused.text
    assert stranger.get("/login").status == 200
    assert stranger.get("/health").status == 200


def test_sign_in_through_the_hosted_ui_gives_an_httponly_samesite_session(stack: LocalStack) -> None:
    browser = Browser(stack)
    back = browser.sign_in(users_with("drafter")[0])
    session_cookie = next(c for c in back.headers.getlist("Set-Cookie") if c.startswith("oa_web="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie, "plain http locally; https deployments get Secure"
    dashboard = browser.get("/")
    assert dashboard.status == 200
    assert "工作台" in dashboard.text
    assert "script-src 'self'" in dashboard.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in dashboard.headers["Content-Security-Policy"]


def test_a_callback_without_the_state_this_browser_started_is_refused(stack: LocalStack) -> None:
    browser = Browser(stack)
    response = browser.get("/auth/callback?code=forged&state=forged")
    assert response.status == 401
    assert "登录已失效" in response.text
    assert "oa_web" not in browser.cookies


def test_a_form_post_without_the_csrf_token_changes_nothing(stack: LocalStack, drafter: Browser) -> None:
    form = form_for(users_with("reviewer")[0], users_with("signer")[0], title="关于无令牌提交的请示")
    before = drafter.get("/").text.count("关于无令牌提交的请示")
    refused = drafter.post("/documents/new", {**form, "action": "submit"})
    assert refused.status == 403
    assert "请刷新页面后重试" in refused.text
    wrong = drafter.post("/documents/new", {**form, "action": "submit", "csrf": "not-the-token"})
    assert wrong.status == 403
    assert drafter.get("/").text.count("关于无令牌提交的请示") == before == 0


def test_a_drafter_submits_the_form_and_the_document_page_shows_its_progress(
    stack: LocalStack, drafter: Browser
) -> None:
    reviewer, signer = users_with("reviewer")[0], users_with("signer")[0]
    page = drafter.get("/documents/new?template=请示")
    assert "妥否，请批示。" in page.text, "the 请示 template ends with its request phrase"
    response = drafter.post(
        "/documents/new", {**form_for(reviewer, signer), "action": "submit", "csrf": drafter.csrf(page)}
    )
    assert response.status == 303
    document_path = location_path(response).split("?")[0]
    document = drafter.get(location_path(response))
    assert document.status == 200
    assert "关于购置办公设备的请示" in document.text
    assert "附件：办公设备清单" in document.text
    assert "已送核稿" in document.text
    assert 'data-refresh="' in document.text, "the progress part refreshes itself while the flow runs"
    assert "关于购置办公设备的请示" in drafter.get("/").text, "the dashboard lists my document"
    progress = drafter.get(f"{document_path}/progress")
    assert progress.status == 200 and progress.headers["X-OA-Status"] == "in_review"


def test_submitting_a_qingshi_with_two_main_recipients_keeps_the_form_and_says_why(
    stack: LocalStack, drafter: Browser
) -> None:
    page = drafter.get("/documents/new")
    fields = form_for(
        users_with("reviewer")[0],
        users_with("signer")[0],
        main_recipients="市人民政府、市财政局",
        title="关于两个主送的请示",
    )
    response = drafter.post("/documents/new", {**fields, "action": "submit", "csrf": drafter.csrf(page)})
    assert response.status == 422
    assert "请示应当一文一事" in response.text
    assert "关于两个主送的请示" in response.text, "nothing typed is lost"


def test_a_saved_draft_is_listed_and_can_be_submitted_later(stack: LocalStack, drafter: Browser) -> None:
    page = drafter.get("/documents/new")
    fields = form_for(users_with("reviewer")[0], users_with("signer")[0], title="关于草稿保存的请示")
    saved = drafter.post("/documents/new", {**fields, "action": "save", "csrf": drafter.csrf(page)})
    assert saved.status == 303
    reopened = drafter.get(location_path(saved))
    assert "草稿已保存" in reopened.text and "关于草稿保存的请示" in reopened.text
    assert "关于草稿保存的请示" in drafter.get("/").text
    draft_id = re.search(r'name="draft_id" value="([0-9a-f]+)"', reopened.text).group(1)  # type: ignore[union-attr]
    submitted = drafter.post(
        "/documents/new",
        {**fields, "action": "submit", "draft_id": draft_id, "csrf": drafter.csrf(reopened)},
    )
    assert submitted.status == 303 and "/documents/" in location_path(submitted)
    dashboard = drafter.get("/").text
    assert f"draft={draft_id}" not in dashboard, "a submitted draft leaves the draft list"


def test_live_checks_answer_with_word_count_and_advice(stack: LocalStack, drafter: Browser) -> None:
    page = drafter.get("/documents/new")
    response = drafter.request(
        "POST",
        "/drafts/check",
        {
            "doc_type": "请示",
            "title": "关于经费的报告",
            "body": "依据国办发[2012]14号文件，于2026-01-05前办理。",
            "csrf": "",
        },
        **{"X-CSRF-Token": drafter.csrf(page)},
    )
    assert response.status == 200
    found = response.json()
    messages = " ".join(c["message"] for c in found["checks"])
    assert found["word_count"] > 20
    assert "“[2012]14号”应写作“〔2012〕14号”" in messages
    assert "2026年1月5日" in messages
    assert "关于……的请示" in messages
    assert "请填写主送机关" in messages and found["ok"] is False


def test_live_checks_know_the_organisation_files_subordinate_units(stack: LocalStack, drafter: Browser) -> None:
    page = drafter.get("/documents/new")
    fields = {
        "doc_type": "请示",
        "title": "关于追加经费的请示",
        "main_recipients": "示例市人民政府",
        "cc": "示例市东城区人民政府",
        "body": "拟追加经费。\n\n妥否，请批示。",
        "csrf": "",
    }
    response = drafter.request("POST", "/drafts/check", fields, **{"X-CSRF-Token": drafter.csrf(page)})
    found = response.json()
    assert response.status == 200 and found["ok"] is False
    refusal = "请示不得抄送下级机关：“示例市东城区人民政府”是本机关的下级机关，请从抄送中删去"
    assert {"level": "error", "field": "cc", "message": refusal} in [
        {key: c[key] for key in ("level", "field", "message")} for c in found["checks"]
    ]


def test_user_text_is_escaped_on_the_pages_that_show_it(stack: LocalStack, drafter: Browser) -> None:
    api = Api(stack)
    reviewer = users_with("reviewer")[0]
    doc_id = submit(api, users_with("drafter")[0], title=f"关于{XSS}的通知", body=f"正文{XSS}", distribute_to=[])
    task = pending_task(api, reviewer, doc_id, "review")
    status, _ = api.decide(task["task_id"], reviewer, "return", f"意见{XSS}")
    assert status == 200
    wait_status(api, doc_id, "returned", users_with("drafter")[0])
    for path in (f"/documents/{doc_id}", "/"):
        text = drafter.get(path).text
        assert "<script>alert(1)</script>" not in text
        assert "<img src=x onerror" not in text
        assert html.escape("<script>alert(1)</script>", quote=False) in text


def test_staff_see_only_documents_they_drafted_must_decide_or_received(stack: LocalStack) -> None:
    api = Api(stack)
    doc_id = submit(api, users_with("drafter")[0], distribute_to=[])
    drafters = users_with("drafter")
    outsider = next(u for u in users_with("countersigner") if u not in drafters and u not in users_with("clerk"))
    browser = Browser(stack)
    browser.sign_in(outsider)
    response = browser.get(f"/documents/{doc_id}")
    assert response.status == 403
    assert "无权查看" in response.text
    assert "关于做好" not in response.text
    assert browser.get(f"/documents/{doc_id}/progress").status == 403


def test_the_reviewer_edits_in_place_and_annotates_and_the_diff_marks_the_changes(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id, reviewer_id = users_with("drafter")[0], users_with("reviewer")[0]
    doc_id = submit(api, drafter_id, body="一、高度重视安全生产工作。\n二、认真开展隐患排查。", distribute_to=[])
    pending_task(api, reviewer_id, doc_id, "review")
    reviewer = Browser(stack)
    reviewer.sign_in(reviewer_id)
    page = reviewer.get(f"/documents/{doc_id}")
    assert "直接修改文稿" in page.text
    task_id = re.search(r'name="task_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = reviewer.post(
        f"/documents/{doc_id}/decision",
        {
            "csrf": reviewer.csrf(page),
            "task_id": task_id,
            "title": "关于做好2026年度安全生产工作的通知",
            "body": "一、高度重视安全生产工作。\n二、全面开展隐患排查治理。",
            "annotations": "「高度重视」建议写明责任分工",
            "opinion": "已修改，同意",
            "decision": "approve",
        },
    )
    assert response.status == 303, response.text
    shown = reviewer.get(location_path(response))
    assert "您已同意" in shown.text
    assert "<del>认真</del>" in shown.text or "<del>认真开展</del>" in shown.text
    assert "<ins>" in shown.text and "全面" in shown.text
    assert "<q>高度重视</q>：建议写明责任分工" in shown.text
    document = api.document(doc_id, drafter_id)
    assert document["versions"][-1]["reason"] == "核稿修改"
    review = next(h for h in document["history"] if h["step"] == "review")
    assert review["annotations"] == [{"quote": "高度重视", "note": "建议写明责任分工"}]


def test_a_decision_form_posted_twice_decides_once(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id, reviewer_id = users_with("drafter")[0], users_with("reviewer")[0]
    doc_id = submit(api, drafter_id, distribute_to=[])
    pending_task(api, reviewer_id, doc_id, "review")
    reviewer = Browser(stack)
    reviewer.sign_in(reviewer_id)
    page = reviewer.get(f"/documents/{doc_id}")
    task_id = re.search(r'name="task_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"csrf": reviewer.csrf(page), "task_id": task_id, "opinion": "同意", "decision": "approve"}
    assert reviewer.post(f"/documents/{doc_id}/decision", form).status == 303
    again = reviewer.post(f"/documents/{doc_id}/decision", form)
    assert again.status == 409
    assert "无需再处理" in again.text
    assert [h["step"] for h in api.document(doc_id, drafter_id)["history"]].count("review") == 1


def test_signing_out_ends_the_session_even_for_a_copied_cookie(stack: LocalStack) -> None:
    browser = Browser(stack)
    browser.sign_in(users_with("drafter")[0])
    copied = dict(browser.cookies)
    page = browser.get("/")
    out = browser.post("/logout", {"csrf": browser.csrf(page)})
    assert out.status == 303
    # Cognito's hosted-UI sign-out (the local provider plays the user pool): /logout with logout_uri.
    assert stack.issuer is not None
    assert out.headers["Location"].startswith(f"{stack.issuer.origin}/logout?")
    assert browser.get(out.headers["Location"]).headers["Location"] == f"{stack.url}/login"
    assert "oa_web" not in browser.cookies
    thief = Browser(stack)
    thief.cookies = copied
    assert thief.get("/").status == 303


def test_an_idle_session_expires(stack: LocalStack) -> None:
    browser = Browser(stack)
    browser.sign_in(users_with("drafter")[0])
    for item in RecordItem.query(f"SESSION#{_sha(browser.cookies['oa_web'])}"):
        assert isinstance(item, SessionItem)
        item.update(actions=[SessionItem.last_seen.set("2000-01-01T00:00:00+08:00")])
    assert browser.get("/").status == 303


def test_archive_search_finds_an_archived_document_by_its_number(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id = users_with("drafter")[0]
    doc_id = submit(api, drafter_id, title="关于档案检索测试的通知", distribute_to=[])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    number = wait_status(api, doc_id, "archived", drafter_id)["number"]
    archivist = Browser(stack)
    archivist.sign_in(users_with("archivist")[0])
    found = archivist.get(f"/archive?number={number[-8:]}")
    assert found.status == 200
    assert "关于档案检索测试的通知" in found.text and number in found.text
    assert "X001-WS·" in found.text and "定期30年" in found.text, "the 档号 and 保管期限 are listed"
    missing = archivist.get("/archive?q=不存在的标题词")
    assert "没有符合条件的归档文件" in missing.text
    bad = archivist.get("/archive?year=20x6")
    assert bad.status == 422 and "年度应为四位数字" in bad.text


def _sha(value: str) -> str:
    import hashlib

    return hashlib.sha256(value.encode()).hexdigest()


def test_a_person_whose_name_carries_markup_is_shown_as_text(stack: LocalStack) -> None:
    stack.seed(
        {
            "departments": [],
            "users": [
                {
                    "user_id": "markup",
                    "name": XSS,
                    "email": "markup@example.gov.cn",
                    "department": "bgs",
                    "roles": ["drafter"],
                }
            ],
        }
    )
    api = Api(stack)
    doc_id = submit(api, "markup", distribute_to=[])
    browser = Browser(stack)
    browser.sign_in("markup")
    for path in ("/", f"/documents/{doc_id}", "/documents/new"):
        text = browser.get(path).text
        assert "<script>alert(1)</script>" not in text and "<img src=x onerror" not in text, path
        assert str(markupsafe.escape(XSS)) in text, path


def test_a_returned_document_is_revised_from_its_page_and_goes_back_to_review(
    stack: LocalStack, drafter: Browser
) -> None:
    api = Api(stack)
    drafter_id, reviewer_id = users_with("drafter")[0], users_with("reviewer")[0]
    doc_id = submit(api, drafter_id, title="关于退回后修改的通知", distribute_to=[])
    task = pending_task(api, reviewer_id, doc_id, "review")
    assert api.decide(task["task_id"], reviewer_id, "return", "请补充时间安排")[0] == 200
    wait_status(api, doc_id, "returned", drafter_id)
    page = wait_for_form(drafter, f"/documents/{doc_id}", "revision-form")
    assert "请补充时间安排" in page.text
    response = drafter.post(
        f"/documents/{doc_id}/revision",
        {
            "csrf": drafter.csrf(page),
            "title": "关于退回后修改的通知",
            "main_recipients": "各处室",
            "body": "一、高度重视。\n二、12月底前完成。",
            "cc": "",
            "urgency": "",
            "note": "已补充时间安排",
        },
    )
    assert response.status == 303, response.text
    assert "修改稿已提交" in drafter.get(location_path(response)).text
    document = wait_status(api, doc_id, "in_review", drafter_id)
    assert document["versions"][-1]["reason"] == "退回后修改"


def wait_for_form(browser: Browser, path: str, form_id: str) -> Any:
    """The page once it offers the form (the flow opens the task a moment after the status changes)."""

    def offered() -> Any:
        page = browser.get(path)
        return page if f'id="{form_id}"' in page.text else None

    return wait_for(offered, f"{path} to offer {form_id}")


def test_a_receiving_department_signs_for_a_document_from_the_dashboard(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id = users_with("drafter")[0]
    doc_id = submit(api, drafter_id, title="关于签收测试的通知", distribute_to=["cwk"])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    wait_status(api, doc_id, "archived", drafter_id)
    member = Browser(stack)
    member.sign_in("chenjing")  # 财务科
    dashboard = member.get("/")
    assert f'action="/documents/{doc_id}/receipt"' in dashboard.text
    signed = member.post(f"/documents/{doc_id}/receipt", {"csrf": member.csrf(dashboard)})
    assert signed.status == 303
    page = member.get(location_path(signed))
    assert "已签收（陈静）" in page.text
    assert "已签收" in member.get("/").text
    clerk = Browser(stack)
    clerk.sign_in(office_clerk())
    assert "已签收（陈静）" in clerk.get(f"/documents/{doc_id}").text


def test_the_document_page_links_the_sealed_pdf_and_shows_each_external_delivery(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id = users_with("drafter")[0]
    doc_id = submit(
        api, drafter_id, title="关于对外发送测试的通知", distribute_to=["cwk", "示例市教育局", "示例市卫生健康委员会"]
    )
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    wait_status(api, doc_id, "archived", drafter_id)
    drafter = Browser(stack)
    drafter.sign_in(drafter_id)

    def delivered() -> Any:
        page = drafter.get(f"/documents/{doc_id}")
        ended = 'data-status="sent"' in page.text and 'data-status="failed"' in page.text
        return page if ended else None

    page = wait_for(delivered, "both external deliveries to end", FLOW_SECONDS)
    assert f'href="/documents/{doc_id}/pdf"' in page.text
    assert "外部 · 电子邮件" in page.text and "已送达（回执" in page.text
    receipts = [str(d["receipt"]) for d in api.document(doc_id, drafter_id)["deliveries"] if d.get("receipt")]
    assert receipts and not any(receipt in page.text for receipt in receipts), "a receipt by its date, not its id"
    assert "已印制" in page.text and "已归档" in page.text and "档号 " in page.text, "办理过程 speaks to people"
    assert "字节" not in page.text and not re.search(r"archive/\d{4}/", page.text), "no size or storage key shown"
    assert "发送失败" in page.text and "未登记收文邮箱" in page.text, "the clerk sees why it failed"
    assert "未签收" in page.text, "财务科 has not signed yet"
    pdf = drafter.get(f"/documents/{doc_id}/pdf")
    assert pdf.status == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF-") and b"%OA-SEAL " in pdf.body
    outsider = Browser(stack)
    outsider.sign_in("yangfan")
    assert outsider.get(f"/documents/{doc_id}/pdf").status == 403
    stranger = Browser(stack).get(f"/documents/{doc_id}/pdf")
    assert stranger.status == 303 and "/login?next=" in stranger.headers["Location"], "strangers sign in first"
