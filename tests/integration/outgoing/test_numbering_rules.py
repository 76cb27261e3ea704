"""编号规则 on the flow: a 函 and a 通知 take different 机关代字, each with its own gap-free counter."""

from __future__ import annotations

import re

import pytest

from infra.local.stack import LocalStack
from tests.integration.kit import Api, approve, submit, users_with, wait_all_status

pytestmark = pytest.mark.integration


def test_each_document_family_is_numbered_with_its_own_code_from_one(stack: LocalStack) -> None:
    api = Api(stack)
    drafter, reviewer, signer = users_with("drafter")[0], users_with("reviewer")[0], users_with("signer")[0]
    letters = [
        submit(api, drafter, doc_type="函", title=f"关于商请协助第{n}项工作的函", main_recipients=["市档案馆"])
        for n in (1, 2)
    ]
    notice = submit(api, drafter, title="关于做好节日值班工作的通知")
    for doc_id in [*letters, notice]:
        approve(api, reviewer, doc_id, "review")
        approve(api, signer, doc_id, "sign")
    documents = [*letters, notice]  # their flows run at the same time: one deadline for the three
    numbers = {doc["document_id"]: doc["number"] for doc in wait_all_status(api, documents, "archived", drafter)}
    assert sorted(re.sub(r"〔\d{4}〕", "〔年〕", numbers[d]) for d in letters) == [
        "示例办函〔年〕1号",
        "示例办函〔年〕2号",
    ]
    assert re.fullmatch(r"示例办发〔\d{4}〕1号", numbers[notice]), "the 通知 counts on its own, from 1"
    assert api.document(letters[0], drafter)["number"] == numbers[letters[0]], "shown on the document"
