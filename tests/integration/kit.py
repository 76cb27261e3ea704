"""Test kit: drive the 发文 flow through the contract's HTTP API on an in-process local stack."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

from infra.local.polling import WAIT_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.identity import directory
from oa_core.workflow.storage import TaskItem


class Api:
    """The JSON API as a signed-in user sees it (same event conversion as the HTTP front)."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack

    def call(
        self,
        method: str,
        path: str,
        user: str | None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        raw = body if isinstance(body, str) or body is None else json.dumps(body, ensure_ascii=False)
        response = self.stack.invoke_http(method, path, user_id=user, body=raw, headers=headers)
        status, text = response.status, response.body.decode("utf-8")
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def document(self, document_id: str, user: str) -> dict[str, Any]:
        status, body = self.call("GET", f"/api/documents/{document_id}", user)
        assert status == 200, body
        return dict(body)

    def tasks(self, user: str) -> list[dict[str, Any]]:
        status, body = self.call("GET", "/api/tasks", user)
        assert status == 200, body
        return list(body)

    def decide(self, task_id: str, user: str, decision: str, opinion: str = "", **extra: Any) -> tuple[int, Any]:
        return self.call(
            "POST",
            f"/api/tasks/{task_id}/decision",
            user,
            {"decision": decision, "opinion": opinion, **extra},
        )


def users_with(role: str) -> list[str]:
    return sorted(u["user_id"] for u in directory.list_users() if role in u["roles"])


def departments() -> list[str]:
    return [d["department_id"] for d in directory.list_departments()]


def draft(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "doc_type": "通知",
        "title": "关于做好2026年度安全生产工作的通知",
        "body": "一、高度重视安全生产工作。\n二、认真开展隐患排查。\n请认真贯彻执行。",
        "main_recipients": ["各处室"],
        "cc": ["市应急管理局"],
        "urgency": "",
        "classification": "非密",
        "reviewer": users_with("reviewer")[0],
        "countersigners": [],
        "countersign_mode": "parallel",
        "signer": users_with("signer")[0],
        "distribute_to": [*departments()[:2], "示例市财政局"],
    }
    return {**body, **overrides}


def submit(api: Api, drafter: str | None = None, **overrides: Any) -> str:
    status, body = api.call("POST", "/api/documents", drafter or users_with("drafter")[0], draft(**overrides))
    assert status == 201, body
    return str(body["document_id"])


def pending_task(api: Api, user: str, document_id: str, step: str) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        return next(
            (t for t in api.tasks(user) if t["document_id"] == document_id and t["step"] == step),
            None,
        )

    return dict(wait_for(find, f"{step} task of {user} on {document_id}"))


def wait_status(
    api: Api, document_id: str, status: str, user: str | None = None, timeout: float = WAIT_SECONDS
) -> dict[str, Any]:
    viewer = user or users_with("admin")[0]
    return dict(
        wait_for(
            lambda: (doc := api.document(document_id, viewer))["status"] == status and doc,
            f"{document_id} to be {status}",
            timeout,
        )
    )


def approve(api: Api, user: str, document_id: str, step: str, opinion: str = "同意") -> None:
    task = pending_task(api, user, document_id, step)
    status, body = api.decide(task["task_id"], user, "approve", opinion)
    assert status == 200, body


def invoke_function(stack: LocalStack, logical_id: str, event: dict[str, Any]) -> Any:
    """Invoke a function through moto's Lambda API, as Step Functions would (real handler in-process)."""
    import boto3

    reply = boto3.client("lambda").invoke(FunctionName=logical_id, Payload=json.dumps(event).encode())
    assert "FunctionError" not in reply, reply["Payload"].read()
    return json.loads(reply["Payload"].read())


def execution_history(stack: LocalStack, document_id: str) -> list[dict[str, Any]]:
    """Every event of every execution of a document's flow (the first and any resumed ones)."""
    events: list[dict[str, Any]] = []
    for execution in stack.sfn.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]:
        if execution["name"].startswith(document_id):
            pages = stack.sfn.get_paginator("get_execution_history").paginate(executionArn=execution["executionArn"])
            events += [dict(event) for page in pages for event in page["events"]]
    return events


def task_tokens() -> list[str]:
    return [item.task_token for item in TaskItem.scan() if isinstance(item, TaskItem)]


def at_once(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together by a barrier; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results
