"""The 领导 on a phone (390×844) opens the emailed 会签 link and sees the whole 发文稿纸 before deciding:
附件说明, 分发, 对外发送, the reviewer's 批注 and 痕迹, who else countersigns; 不同意 without a reason is
refused by the server. The screenshot is the one docs/ shows (docs/screenshots/approval-sheet-phone.png)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.e2e.browser import docs_shot, new_page
from tests.e2e.kit import Org, User, draft, emailed_link, submit, unique

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_a_leader_on_a_phone_sees_the_whole_sheet_and_must_give_a_reason_to_refuse(
    base_url: str, browser: Browser, screenshots: Path
) -> None:
    org = Org(base_url)
    first, second = org.with_role("countersigner")[:2]
    title = unique("关于做好冬季安全生产检查工作的通知")
    drafter = User(base_url, org.with_role("drafter")[0])
    doc_id = submit(
        drafter,
        draft(
            org,
            title,
            urgency="加急",
            attachment_note="附件：冬季安全检查表",
            countersigners=[first, second],
            distribute_to=["bgs", "示例市财政局"],
        ),
    )
    reviewer = User(base_url, org.with_role("reviewer")[0])
    task = reviewer.pending_task(doc_id, "review")
    edited = reviewer.post(
        f"/api/tasks/{task['task_id']}/decision",
        json={
            "decision": "approve",
            "opinion": "已修改第二条，请会签。",
            "edits": {
                "body": "各处室：\n一、高度重视安全生产工作。\n二、认真开展隐患排查，逐项整改到位。\n请认真贯彻执行。"
            },
            "annotations": [{"quote": "隐患排查", "note": "请在12月10日前报送结果"}],
        },
    )
    assert edited.status_code == 200, edited.text
    countersigner = User(base_url, first)
    countersigner.decide(countersigner.pending_task(doc_id, "countersign")["task_id"], "approve", "同意。")

    phone = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai")
    phone.goto(emailed_link(base_url, org.email(second), title))
    sheet = phone.locator("#sheet")
    expect(sheet.locator("#sheet-attachments")).to_have_text("附件：冬季安全检查表")  # one 附件: not numbered
    expect(sheet.locator("#sheet-internal")).to_contain_text("办公室")
    expect(sheet.locator("#sheet-external")).to_have_text("示例市财政局")
    expect(sheet.locator("#sheet-review")).to_contain_text("请在12月10日前报送结果")
    expect(sheet.locator("#sheet-countersign")).to_contain_text("已完成 1/2")
    expect(sheet.locator("#sheet-trace ins")).to_contain_text("逐项整改到位")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    docs_shot(phone, "approval-sheet-phone.png", full_page=True)

    phone.get_by_role("button", name="不同意").click()
    expect(phone.locator(".error")).to_contain_text("请填写意见")
    phone.locator("#opinion").fill("同意。")
    phone.get_by_role("button", name="同意", exact=True).click()
    expect(phone.locator(".ok")).to_contain_text("同意")
    phone.context.close()
