"""从 Word 导入 over the local stack: the 拟稿 page offers it, the .docx is the body, the fields come back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.local.stack import LocalStack
from tests.integration.kit import users_with
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration

WORD = Path(__file__).resolve().parents[2] / "data" / "word"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def send(browser: Browser, data: bytes, csrf: str) -> tuple[int, dict[str, object]]:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()), "Content-Type": DOCX}
    if csrf:
        headers["X-CSRF-Token"] = csrf
    response = browser.stack.invoke_http("POST", "/documents/import-word", body=data, headers=headers)
    try:
        return response.status, json.loads(response.text)
    except json.JSONDecodeError:
        return response.status, {"page": response.text}


@pytest.fixture
def drafter(stack: LocalStack) -> Browser:
    browser = Browser(stack)
    browser.sign_in(users_with("drafter")[0])
    return browser


def test_the_draft_form_offers_word_import_and_a_libreoffice_docx_comes_back_as_fields(
    stack: LocalStack, drafter: Browser
) -> None:
    page = drafter.get("/documents/new")
    assert "从 Word 导入" in page.text and 'id="word-file"' in page.text
    status, fields = send(drafter, (WORD / "notice.docx").read_bytes(), drafter.csrf(page))
    assert status == 200, fields
    assert fields["title"] == "关于开展冬季安全检查的通知"
    assert fields["main_recipients"] == ["各处室", "各直属单位"]
    assert "一、检查范围" in str(fields["body"])
    assert fields["attachment_note"] == "冬季安全检查表\n隐患整改台账"


def test_refusals_answer_json_4xx_with_a_chinese_message(stack: LocalStack, drafter: Browser) -> None:
    csrf = drafter.csrf(drafter.get("/documents/new"))
    for data, expected in (
        ((WORD / "pictures.docx").read_bytes(), "2 张图片"),
        ((WORD / "report.doc").read_bytes(), "另存为"),
        (b"PK\x03\x04broken", "损坏"),
    ):
        status, answer = send(drafter, data, csrf)
        assert status == 422, answer
        assert expected in answer["error"]["message"]  # type: ignore[index]


def test_an_import_without_the_csrf_token_is_refused(stack: LocalStack, drafter: Browser) -> None:
    status, _ = send(drafter, (WORD / "notice.docx").read_bytes(), "")
    assert status == 403


def test_someone_who_may_not_draft_cannot_import(stack: LocalStack) -> None:
    signer = Browser(stack)
    signer.sign_in(next(u for u in users_with("signer") if u not in users_with("drafter")))
    csrf = signer.csrf(signer.get("/"))
    status, answer = send(signer, (WORD / "notice.docx").read_bytes(), csrf)
    assert status == 403 and "拟稿权限" in answer["error"]["message"]  # type: ignore[index]
