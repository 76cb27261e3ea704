"""Bad input gets a 4xx with a message a person can act on, never a 5xx; sign-in and roles are enforced."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.kit import Api, draft, pending_task, submit, users_with

pytestmark = pytest.mark.integration

MISSING = object()


BAD_FIELDS: list[tuple[str, Any, str]] = [
    ("doc_type", MISSING, "文种"),
    ("doc_type", "便函", "文种"),
    ("doc_type", 3, "文种"),
    ("title", MISSING, "标题"),
    ("title", "", "标题"),
    ("title", "长" * 201, "200"),
    ("title", ["a"], "标题"),
    ("body", MISSING, "正文"),
    ("body", "字" * 50_001, "正文"),
    ("body", 12, "正文"),
    ("main_recipients", MISSING, "主送机关"),
    ("main_recipients", [], "主送机关"),
    ("main_recipients", "各处室", "主送机关"),
    ("main_recipients", ["机" * 101], "主送机关"),
    ("cc", "市财政局", "抄送"),
    ("cc", ["局"] * 51, "抄送"),
    ("urgency", "非常急", "紧急程度"),
    ("classification", "秘密", "涉密公文不得在本系统处理"),
    ("classification", "绝密", "涉密公文不得在本系统处理"),
    ("classification", ["非密"], "密级"),
    ("reviewer", MISSING, "核稿人"),
    ("reviewer", "nobody.here", "核稿人"),
    ("reviewer", "<script>", "核稿人"),
    ("countersigners", "li.na", "会签人"),
    ("countersigners", ["ghost.user"], "会签人"),
    ("countersign_mode", "random", "会签方式"),
    ("signer", MISSING, "签发人"),
    ("signer", 7, "签发人"),
    ("distribute_to", "办公室", "分发范围"),
    ("distribute_to", ["x"] * 51, "分发范围"),
    ("surprise", "field", "surprise"),
]


@pytest.mark.parametrize(
    ("field", "value", "named"),
    BAD_FIELDS,
    ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_FIELDS)],
)
def test_every_bad_field_gets_a_4xx_naming_the_problem(api: Api, field: str, value: Any, named: str) -> None:
    body = draft()
    if value is MISSING:
        del body[field]
    else:
        body[field] = value
    status, reply = api.call("POST", "/api/documents", users_with("drafter")[0], body)
    assert 400 <= status < 500, reply
    assert named in reply["error"]["message"], reply
    assert reply["error"]["code"]


def test_a_request_for_instructions_with_two_main_recipients_is_refused(api: Api) -> None:
    status, reply = api.call(
        "POST",
        "/api/documents",
        users_with("drafter")[0],
        draft(doc_type="请示", main_recipients=["市政府", "市财政局"]),
    )
    assert status == 422 and "一个主送机关" in reply["error"]["message"]


@pytest.mark.parametrize("raw", ["{not json", "[]", "", "null", '"text"'])
def test_a_body_that_is_not_a_json_object_gets_422(api: Api, raw: str) -> None:
    status, reply = api.call("POST", "/api/documents", users_with("drafter")[0], raw)
    assert status in (400, 422), reply
    assert reply["error"]["message"]


def test_a_person_without_the_drafter_role_cannot_submit(api: Api) -> None:
    outsider = next(u for u in users_with("signer") if u not in users_with("drafter"))
    status, reply = api.call("POST", "/api/documents", outsider, draft())
    assert status == 403 and "拟稿" in reply["error"]["message"]


def test_every_api_route_needs_sign_in(api: Api) -> None:
    for method, path in [
        ("GET", "/api/tasks"),
        ("POST", "/api/documents"),
        ("GET", "/api/documents/x"),
        ("GET", "/openapi.json"),
    ]:
        status, reply = api.call(method, path, None, {} if method == "POST" else None)
        assert status == 401, (path, reply)


def test_health_is_open_and_openapi_describes_the_api(api: Api) -> None:
    assert api.call("GET", "/health", None) == (200, {"status": "ok"})
    status, spec = api.call("GET", "/openapi.json", users_with("drafter")[0])
    assert status == 200 and spec["openapi"].startswith("3.")
    assert {
        "/api/documents",
        "/api/documents/{document_id}",
        "/api/tasks",
        "/api/tasks/{task_id}/decision",
    } <= set(spec["paths"])


def test_an_idempotency_key_returns_the_first_document(api: Api) -> None:
    drafter = users_with("drafter")[0]
    headers = {"Idempotency-Key": "draft-2026-11-25-001"}
    first = api.call("POST", "/api/documents", drafter, draft(), headers)
    second = api.call("POST", "/api/documents", drafter, draft(), headers)
    assert first[0] == 201 and second[0] == 201
    assert first[1]["document_id"] == second[1]["document_id"]
    status, reply = api.call("POST", "/api/documents", drafter, draft(title="关于另一件事的通知"), headers)
    assert status == 422 and "Idempotency-Key" in reply["error"]["message"]


def test_bad_decisions_are_refused_with_reasons(api: Api) -> None:
    drafter, reviewer = users_with("drafter")[0], users_with("reviewer")[0]
    doc_id = submit(api, drafter)
    task = pending_task(api, reviewer, doc_id, "review")
    cases = [
        ({"decision": "maybe"}, 422, "决定"),
        ({"decision": "return"}, 422, "意见"),
        ({"decision": "approve", "opinion": "意" * 2001}, 422, "意见"),
        ({"opinion": "同意"}, 422, "决定"),
    ]
    for body, expected, named in cases:
        status, reply = api.call("POST", f"/api/tasks/{task['task_id']}/decision", reviewer, body)
        assert status == expected and named in reply["error"]["message"], (body, reply)
    status, reply = api.decide(task["task_id"], drafter, "approve")
    assert status == 403
    status, reply = api.decide("no-such-task.review.1.0", reviewer, "approve")
    assert status == 404
    status, reply = api.call("GET", "/api/documents/no-such-doc", drafter)
    assert status == 404 and "不存在" in reply["error"]["message"]


def test_a_revision_when_nothing_was_returned_is_a_conflict(api: Api) -> None:
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter)
    status, reply = api.call("POST", f"/api/documents/{doc_id}/revision", drafter, {"body": "新正文"})
    assert status == 409 and "退回修改" in reply["error"]["message"]


def test_staff_cannot_read_documents_that_are_not_theirs(api: Api) -> None:
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=[])
    involved = {drafter, *users_with("reviewer")[:1], *users_with("signer")[:1]}
    from oa_core.identity import directory

    outsider = next(
        u["user_id"]
        for u in directory.list_users()
        if u["user_id"] not in involved and not {"clerk", "archivist"} & set(u["roles"])
    )
    status, reply = api.call("GET", f"/api/documents/{doc_id}", outsider)
    assert status == 403, reply
