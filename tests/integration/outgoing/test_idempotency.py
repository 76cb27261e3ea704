"""拟稿 with an Idempotency-Key on the local stack: one document per key, whichever execution environment answers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from oa_core.outgoing.storage import DocumentItem
from oa_core.platform.storage import RecordItem
from tests.integration.kit import Api, at_once, draft, users_with


def _documents_titled(title: str) -> list[str]:
    """Every stored document with this title (a consistent Scan: the test's own count, not the API's)."""
    return [
        item.document_id
        for item in RecordItem.scan(RecordItem.SK == "META", consistent_read=True)
        if isinstance(item, DocumentItem) and item.title == title
    ]


def test_twenty_concurrent_submissions_with_one_key_make_one_document(api: Api) -> None:
    drafter = users_with("drafter")[0]
    title = "关于并发幂等提交测试的通知"
    headers = {"Idempotency-Key": "concurrent-key-0001"}

    def post() -> tuple[int, Any]:
        return api.call("POST", "/api/documents", drafter, draft(title=title), headers)

    answers = at_once([post] * 20)
    created = [reply for status, reply in answers if status == 201]
    in_progress = [reply for status, reply in answers if status == 409]
    assert len(created) + len(in_progress) == 20, answers
    assert all(reply["error"]["code"] == "in_progress" for reply in in_progress), in_progress
    assert created and len({reply["document_id"] for reply in created}) == 1, created
    # Those that raced the first are answered alike once it is done: a retry returns the same document.
    retried = [post() for _ in in_progress]
    assert all(status == 201 and reply == created[0] for status, reply in retried), retried
    assert _documents_titled(title) == [created[0]["document_id"]]


ROUTES = Path(__file__).resolve().parents[3] / "functions" / "api" / "routes"


def _routes_as(package: str) -> ModuleType:
    """The API's ``routes.documents`` imported under another package name, as a second execution
    environment may name it (the local stack names each environment's modules apart)."""
    spec = importlib.util.spec_from_file_location(
        package, ROUTES / "__init__.py", submodule_search_locations=[str(ROUTES)]
    )
    assert spec is not None and spec.loader is not None
    sys.modules[package] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules[package])
    return importlib.import_module(f"{package}.documents")


def test_the_key_does_not_depend_on_the_module_name_of_the_environment(api: Api) -> None:
    drafter = users_with("drafter")[0]
    title = "关于模块名不同的执行环境幂等提交的通知"
    request = {
        "user_id": drafter,
        "key": "module-name-key-0001",
        "submission": draft(title=title),
        "base_url": "http://127.0.0.1",
    }
    try:
        answers = [
            _routes_as(name)._idempotent_submit()[0](request=request) for name in ("_env_a_routes", "_env_b_routes")
        ]
    finally:
        for name in [n for n in sys.modules if n.partition(".")[0] in ("_env_a_routes", "_env_b_routes")]:
            del sys.modules[name]
    assert answers[0] == answers[1], answers
    assert _documents_titled(title) == [answers[0]["document_id"]]


def test_the_same_key_with_another_body_is_refused_in_chinese(api: Api) -> None:
    drafter = users_with("drafter")[0]
    headers = {"Idempotency-Key": "changed-body-key-0001"}
    status, first = api.call("POST", "/api/documents", drafter, draft(title="关于幂等键首次使用的通知"), headers)
    assert status == 201, first
    status, reply = api.call("POST", "/api/documents", drafter, draft(title="关于幂等键换了内容的通知"), headers)
    assert status == 422 and "Idempotency-Key" in reply["error"]["message"], reply
    assert "不能用于不同的内容" in reply["error"]["message"]
