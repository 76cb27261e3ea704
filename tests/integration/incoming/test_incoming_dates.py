"""Every date a 收文 takes (登记's 办理时限, 拟办's and 批办's plan deadlines, 延期至, 文书登记's 收文日期 and 办理时限)
refuses an impossible day with a Chinese 422 naming the field and changes nothing, so what the edge accepts never
fails later in the flow; an approved 延期 is the 时限 shown."""

from __future__ import annotations

import pytest

from infra.local.stack import LocalStack
from oa_core.incoming import intake
from oa_core.incoming.storage import load_incoming
from oa_core.workflow.tasks import load_task
from tests.integration.incoming.flow_kit import (
    OFFICE_HEAD,
    arrive,
    decide,
    instructed,
    leader,
    plan,
    stack,
    task_of,
    view,
)
from tests.integration.kit import Api, office_clerk
from tests.integration.web.test_no_ids_or_english import problems, visible
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration
__all__ = ["stack"]
IMPOSSIBLE = ("2026-02-30", "2026-13-45", "abc")
LEAD = "liuyang"


def _refused(status: int, body: dict[str, object], *names: str) -> str:
    assert status == 422, body
    message = str(body["error"]["message"])  # type: ignore[index]
    assert all(name in message for name in names), message
    assert problems("422", message, set()) == [], message
    return message


def test_every_date_of_every_incoming_input_refuses_an_impossible_day_and_changes_nothing(stack: LocalStack) -> None:
    api, clerk = Api(stack), office_clerk()
    incoming_id = arrive(stack)
    decide(api, clerk, incoming_id, "receive")
    register = task_of(api, clerk, incoming_id, "register")
    for bad in (*IMPOSSIBLE, "2000-01-01"):
        status, body = api.decide(register["task_id"], clerk, "approve", registration={"deadline": bad})
        _refused(status, body, "办理时限")
    assert load_task(register["task_id"]).status == "pending" and not load_incoming(incoming_id).number
    decide(api, clerk, incoming_id, "register", registration={"deadline": "2099-12-30"})

    propose = task_of(api, OFFICE_HEAD, incoming_id, "propose")
    for bad in IMPOSSIBLE:
        for changed, named in (
            ({"lead": {"department": "zcfgk", "deadline": bad}}, "“主办部门”的“办理时限”"),
            ({"assist": [{"department": "zhk", "deadline": bad}]}, "“协办部门”第 1 项的“办理时限”"),
        ):
            status, body = api.decide(propose["task_id"], OFFICE_HEAD, "approve", plan=plan(**changed))
            _refused(status, body, named)
    assert load_task(propose["task_id"]).status == "pending" and not load_incoming(incoming_id).plan
    decide(api, OFFICE_HEAD, incoming_id, "propose", opinion="拟请政策法规科主办。", plan=plan())
    instruct = task_of(api, leader(), incoming_id, "instruct")
    bad_plan = plan(lead={"department": "zcfgk", "deadline": "2026-02-30"})
    _refused(*api.decide(instruct["task_id"], leader(), "approve", plan=bad_plan), "“主办部门”的“办理时限”")
    assert load_task(instruct["task_id"]).status == "pending"
    decide(api, leader(), incoming_id, "instruct", opinion="同意。")

    task_of(api, LEAD, incoming_id, "handle")
    path = f"/api/incoming/{incoming_id}/extensions"
    for bad in IMPOSSIBLE:
        _refused(*api.call("POST", path, LEAD, {"until": bad, "reason": "等数据"}), "“延期至”")
    said = _refused(*api.call("POST", path, LEAD, {"until": "", "reason": ""}), "“延期至”", "“理由”")
    assert "字母" not in said and "until" not in said
    browser = Browser(stack)
    browser.sign_in(LEAD)
    page = browser.get(f"/incoming/{incoming_id}")
    assert page.status == 200
    assert view(api, incoming_id)["handling"]["extensions"] == []

    received = {"sender": "示例市财政局", "title": "关于年终决算的通知", "upload": "0" * 32}
    for field, bad in (("received_on", "2026-02-30"), ("deadline", "2026-13-45")):
        body = {**received, "incoming_id": intake.new_incoming_id(), "received_on": "2026-11-30", field: bad}
        _refused(*api.call("POST", "/api/incoming", clerk, body), {"received_on": "收文日期"}.get(field, "办理时限"))


def test_an_impossible_extension_date_on_the_page_is_a_chinese_422_not_a_502(stack: LocalStack) -> None:
    from tests.integration.web.test_incoming_step_pages import send

    api = Api(stack)
    incoming_id = instructed(api, stack)
    task_of(api, LEAD, incoming_id, "handle")
    browser = Browser(stack)
    browser.sign_in(LEAD)
    answer = send(browser, f"/incoming/{incoming_id}", "extension-form", "extensions", until="2026-02-30", reason="x")
    assert answer.status == 422 and "“延期至”请填写真实存在的日期" in visible(answer.text)


def test_an_approved_extension_is_the_deadline_shown_with_the_old_one_as_已延期(stack: LocalStack) -> None:
    api = Api(stack)
    incoming_id = instructed(api, stack)
    task_of(api, LEAD, incoming_id, "handle")
    status, asked = api.call(
        "POST", f"/api/incoming/{incoming_id}/extensions", LEAD, {"until": "2100-01-15", "reason": "等数据"}
    )
    assert status == 201, asked
    assert api.decide(asked["task_id"], leader(), "approve", "同意")[0] == 200
    lead = view(api, incoming_id)["handling"]["handlers"][0]
    assert (lead["deadline"], lead["extended_from"]) == ("2100-01-15", "2099-12-31")
    assert lead["due_at"].startswith("2100-01-15")
    browser = Browser(stack)
    browser.sign_in(LEAD)
    shown = visible(browser.get(f"/incoming/{incoming_id}").text)
    assert "2100-01-15" in shown and "已延期，原 2099-12-31" in shown


BAD_BODIES: list[tuple[str, object]] = [
    ("/exchange/inbound", []),
    ("/exchange/inbound", {"delivery_id": "d-1", "sender": {"name": "甲"}, "document": {"urgency": "急"}, "pdf": []}),
    ("/exchange/receipts", ["not", "an", "object"]),
    ("/exchange/receipts", {"delivery_id": "d-1", "kind": "concluded", "incoming_number": "", "concluded_at": "x"}),
]


@pytest.mark.parametrize(("path", "body"), BAD_BODIES)
def test_a_bad_exchange_body_is_a_422_in_chinese_without_pydantic_english(
    stack: LocalStack, path: str, body: object
) -> None:
    import json

    import boto3

    from oa_core.platform.config import settings
    from tests.integration.incoming.exchange_kit import KEY, signed

    key = KEY
    if path == "/exchange/receipts":  # a 办结回执 is signed with the key we deliver with
        secret = boto3.client("secretsmanager").get_secret_value(SecretId=settings().delivery_secret_name)
        key = secret["SecretString"]
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    answer = stack.invoke_http("POST", path, body=raw, headers=signed(raw, "d-1", key=key))
    message = json.loads(answer.body)["error"]["message"]
    assert answer.status == 422 and problems(path, message, set()) == [], message
    assert "Input should" not in message and "“document”" not in message


def test_bad_bodies_across_the_incoming_api_are_422s_in_chinese(stack: LocalStack) -> None:
    api, clerk = Api(stack), office_clerk()
    incoming_id = instructed(api, stack)
    task_of(api, LEAD, incoming_id, "handle")
    for path, user, body in (
        (f"/api/incoming/{incoming_id}/extensions", LEAD, []),
        (f"/api/incoming/{incoming_id}/extensions", LEAD, {"until": 20991231, "reason": ["x"]}),
        (f"/api/incoming/{incoming_id}/reassign", clerk, {"department": [], "reason": ""}),
        ("/api/incoming", clerk, {"urgency": "急", "copies": "多", "received_on": "昨天"}),
    ):
        status, answer = api.call("POST", path, user, body)
        assert status == 422, (path, answer)
        message = str(answer["error"]["message"])
        assert problems(path, message, set()) == [], message
