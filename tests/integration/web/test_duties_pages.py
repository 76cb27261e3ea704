"""The staff pages keep 职责分离 and the 文书's reading scope: the 拟稿 form refuses a drafter naming
himself, and a 文书 outside the 办公室 gets 403 on another department's document pages."""

from __future__ import annotations

import pytest

from infra.local.stack import LocalStack
from oa_core.identity import directory
from tests.integration.kit import Api, office_clerk, submit, users_with
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration


def test_the_draft_form_refuses_a_drafter_who_names_himself_signer(stack: LocalStack) -> None:
    directory.seed_organisation(
        {
            "users": [
                {
                    "user_id": "zz.duozhi",
                    "name": "多职人",
                    "email": "zz.duozhi@example.gov.cn",
                    "department": "zcfgk",
                    "roles": ["drafter", "reviewer", "signer"],
                }
            ]
        }
    )
    browser = Browser(stack)
    browser.sign_in("zz.duozhi")
    form_page = browser.get("/documents/new")
    assert form_page.status == 200, form_page.text
    assert 'value="zz.duozhi"' not in form_page.text, "the form offers the drafter for none of the steps"
    title = "关于自己签发的请示"
    refused = browser.post(
        "/documents/new",
        {
            "csrf": browser.csrf(form_page),
            "action": "submit",
            "doc_type": "请示",
            "title": title,
            "body": "因工作需要，拟购置办公设备一批。\n\n妥否，请批示。",
            "main_recipients": "市人民政府办公室",
            "classification": "非密",
            "reviewer": users_with("reviewer")[0],
            "signer": "zz.duozhi",
            "countersign_mode": "parallel",
        },
    )
    assert refused.status == 422, refused.text
    assert "职责分离" in refused.text and "不能担任本文件的签发人" in refused.text
    assert title not in browser.get("/").text


def test_a_clerk_outside_the_office_gets_403_on_another_departments_document_pages(stack: LocalStack) -> None:
    doc_id = submit(Api(stack), "lina", distribute_to=[])
    other = Browser(stack)
    other.sign_in("xuhui")  # 文书 of 综合科
    for path in (f"/documents/{doc_id}", f"/documents/{doc_id}/progress"):
        assert other.get(path).status == 403, path
    office = Browser(stack)
    office.sign_in(office_clerk())
    assert office.get(f"/documents/{doc_id}").status == 200
