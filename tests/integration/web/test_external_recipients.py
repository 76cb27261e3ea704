"""外部单位 at 拟稿: the docs' curl example works as written (through 对外发送 to 示例市财政局), and a
name that is neither a department nor a registered 外部单位 is refused with the units one may choose
(the API's 422 and the 拟稿 form), when the channel (email) cannot route by name."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.platform.storage import RecordItem
from tests.integration.kit import Api, approve, office_clerk, users_with, wait_status
from tests.integration.web.test_staff_pages import form_for
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration

API_DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def _curl_example() -> tuple[str, dict[str, Any]]:
    """Who signs in and the body the docs' curl walk-through posts to /api/documents, as written."""
    text = API_DOC.read_text(encoding="utf-8").split("## With curl", 1)[1]
    user = re.search(r"""/_local/login -d '\{"user_id":"([^"]+)"\}'""", text)
    body = re.search(r"-XPOST \$B/api/documents .*?-d '(\{.*?\})'", text, re.DOTALL)
    assert user and body, "docs/api.md's curl walk-through signs in and posts a document"
    return user.group(1), json.loads(body.group(1))


def test_the_curl_example_of_the_docs_is_issued_and_delivered_to_its_external_unit(stack: LocalStack) -> None:
    api = Api(stack)
    user, body = _curl_example()
    status, created = api.call("POST", "/api/documents", user, body)
    assert status == 201, created
    doc_id = created["document_id"]
    approve(api, body["reviewer"], doc_id, "review")
    for countersigner in body["countersigners"]:
        approve(api, countersigner, doc_id, "countersign")
    approve(api, body["signer"], doc_id, "sign")
    wait_status(api, doc_id, "archived", user, FLOW_SECONDS)
    externals = [entry for entry in body["distribute_to"] if not entry.isascii()]
    assert externals, "the example sends to an external unit"

    def delivered() -> list[dict[str, Any]] | None:
        found = [d for d in api.document(doc_id, office_clerk())["deliveries"] if d["recipient"] in externals]
        return found if found and all(d["status"] == "sent" for d in found) else None

    wait_for(delivered, f"the example's delivery to {externals}", FLOW_SECONDS)


def test_an_unknown_external_recipient_is_refused_at_drafting_with_the_known_units(stack: LocalStack) -> None:
    api = Api(stack)
    user, body = _curl_example()
    before = len(list(RecordItem.gsi1.query(f"DRAFTER#{user}")))
    status, refused = api.call("POST", "/api/documents", user, {**body, "distribute_to": ["bgs", "市财政局"]})
    assert status == 422, refused
    assert refused["error"]["code"] == "unknown_recipient"
    message = refused["error"]["message"]
    assert "「市财政局」" in message and "示例市财政局" in message and "示例市教育局" in message
    assert len(list(RecordItem.gsi1.query(f"DRAFTER#{user}"))) == before, "no document was made"


def test_the_drafting_form_refuses_an_unknown_external_recipient_and_keeps_what_was_typed(
    stack: LocalStack,
) -> None:
    drafter = Browser(stack)
    drafter.sign_in(users_with("drafter")[0])
    page = drafter.get("/documents/new?template=请示")
    assert "只能发送给已登记收文邮箱的外部单位" in page.text, "the form says which units can be reached"
    fields = form_for(users_with("reviewer")[0], users_with("signer")[0], distribute_to=["bgs", "市财政局"])
    refused = drafter.post("/documents/new", {**fields, "action": "submit", "csrf": drafter.csrf(page)})
    assert refused.status == 422
    assert "「市财政局」" in refused.text and "示例市财政局" in refused.text
    assert "关于购置办公设备的请示" in refused.text
