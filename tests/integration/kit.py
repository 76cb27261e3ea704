"""Test kit: drive the 发文 flow through the contract's HTTP API on an in-process local stack."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

from infra.local.polling import STEP_SECONDS, Deadline, flows_seconds, join_all, scaled, wait_for
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


def office_clerk() -> str:
    """A 文书 of the 办公室 (Settings.office_department), who reads every department's documents."""
    from oa_core.platform.config import settings

    office = settings().office_department
    return next(
        str(u["user_id"])
        for u in sorted(directory.list_users(), key=lambda u: u["user_id"])
        if "clerk" in u["roles"] and u["department"] == office
    )


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
    seen: list[dict[str, Any]] = []

    def find() -> dict[str, Any] | None:
        seen[:] = [t for t in api.tasks(user) if t["document_id"] == document_id]
        return next((t for t in seen if t["step"] == step), None)

    def saw() -> str:
        doc = api.document(document_id, office_clerk())
        return f"{user}'s tasks on it: {[t['step'] for t in seen]}; document {doc['status']}, pending {doc['pending']}"

    return dict(wait_for(find, f"{step} task of {user} on {document_id}", saw=saw))


def wait_status(
    api: Api,
    document_id: str,
    status: str,
    user: str | None = None,
    seconds: float = STEP_SECONDS,
    *,
    deadline: Deadline | None = None,
) -> dict[str, Any]:
    """The document once it has ``status`` (by ``deadline``, or ``seconds`` from now, scaled)."""
    viewer = user or office_clerk()
    last: dict[str, Any] = {}

    def reached() -> dict[str, Any] | None:
        last.clear()
        last.update(api.document(document_id, viewer))
        return last if last["status"] == status else None

    def saw() -> str:
        steps = [h.get("step") for h in last.get("history", [])]
        return f"status {last.get('status')!r}, pending {last.get('pending')}, steps done {steps}"

    return dict(wait_for(reached, f"{document_id} to be {status}", seconds, deadline=deadline, saw=saw))


def wait_all_status(api: Api, documents: Sequence[str], status: str, user: str | None = None) -> list[dict[str, Any]]:
    """Every document once it has ``status``, by one deadline sized to that many flows at once."""
    deadline = Deadline(flows_seconds(len(documents)))
    return [wait_status(api, doc_id, status, user, deadline=deadline) for doc_id in documents]


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


def outbox_seen(stack: LocalStack, last: int = 8) -> Callable[[], str]:
    """For a wait on an email: what the outbox held when it gave up (the latest messages)."""

    def summary() -> str:
        messages = stack.outbox()
        shown = "; ".join(f"{', '.join(m['to'])}: {m['subject']}" for m in messages[-last:])
        return f"{len(messages)} emails sent, the latest: {shown or 'none'}"

    return summary


def at_once(calls: Sequence[Callable[[], Any]], seconds_each: float = 10.0) -> list[Any]:
    """Run the calls in threads released together by a barrier; return their results in order.

    Waits for every thread by a deadline sized to the calls (one step plus ``seconds_each`` a call,
    scaled); a call that raised fails here with its exception, a thread still running fails loudly.
    """
    budget = STEP_SECONDS + seconds_each * len(calls)
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[tuple[int, BaseException]] = []

    def run(index: int) -> None:
        try:
            barrier.wait(scaled(budget))
            results[index] = calls[index]()
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append((index, error))

    threads = [threading.Thread(target=run, args=(i,), name=f"at_once-{i}") for i in range(len(calls))]
    for thread in threads:
        thread.start()
    join_all(threads, f"{len(calls)} calls made at once to return", budget)
    if errors:
        index, error = min(errors, key=lambda e: e[0])
        raise AssertionError(
            f"{len(errors)} of {len(calls)} calls made at once raised; call {index}: {error!r}"
        ) from error
    return results
