"""What one document costs on the in-process local stack: state transitions and DynamoDB requests.

The flow runs for real on ``infra.local.stack.LocalStack`` (moto executing the ASL, the real
handlers dispatched in-process) and is driven through the gateway as the JSON API's users would:
submit, then each decider's pending task from ``GET /api/tasks``, approved with
``POST /api/tasks/{id}/decision``.

Counting:

* state transitions: ``*StateEntered`` events of the document's executions (what Step Functions
  Standard bills);
* DynamoDB requests: every botocore call whose service is dynamodb, counted in
  ``BaseClient._make_api_call`` (boto3 and pynamodb's own botocore session alike), by operation
  name, and attributed to the handler running in that thread (``lambda_dispatch.invoke_handler``
  is wrapped to say which). Requests of the workflow functions and of the API calls that move the
  document (submit, decisions) are the document's cost; the driver's polling (``GET`` routes) and
  the local gateway's sign-in lookups are counted apart.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from unittest import mock

from infra.local.polling import wait_for

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

WAIT_SECONDS = 60.0
GATEWAY = "gateway (local sign-in)"
KS = (0, 1, 3)
TIMED_K = 2


class DynamoCounter:
    """DynamoDB requests by (source, operation); source is the handler running in the thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.counts: Counter[tuple[str, str]] = Counter()
        self.scans: list[str] = []

    def source(self) -> str:
        return str(getattr(self._local, "source", GATEWAY))

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.scans.clear()

    def snapshot(self) -> Counter[tuple[str, str]]:
        with self._lock:
            return Counter(self.counts)

    def _record(self, operation: str, params: Any) -> None:
        source = self.source()
        with self._lock:
            self.counts[(source, operation)] += 1
            if operation == "Scan":
                table = params.get("TableName", "?") if isinstance(params, dict) else "?"
                self.scans.append(f"{source}: Scan {table} {params.get('IndexName', '')}".strip())

    @contextmanager
    def installed(self) -> Iterator[None]:
        import botocore.client

        from infra.local import lambda_dispatch

        original_call = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]
        original_invoke = lambda_dispatch.invoke_handler
        counter = self

        def make_api_call(client: Any, operation_name: str, api_params: Any) -> Any:
            if client.meta.service_model.service_name == "dynamodb":
                counter._record(operation_name, api_params)
            return original_call(client, operation_name, api_params)

        def invoke_handler(spec: Any, event: Any) -> Any:
            label = spec.logical_id
            if isinstance(event, dict) and event.get("httpMethod"):
                label = f"{spec.logical_id} {event['httpMethod']} {route_of(str(event.get('path', '')))}"
            elif isinstance(event, dict) and event.get("action"):
                label = f"{spec.logical_id} ({event['action']})"
            previous = getattr(counter._local, "source", None)
            counter._local.source = label
            try:
                return original_invoke(spec, event)
            finally:
                if previous is None:
                    del counter._local.source
                else:
                    counter._local.source = previous

        with (
            mock.patch.object(botocore.client.BaseClient, "_make_api_call", make_api_call),
            mock.patch.object(lambda_dispatch, "invoke_handler", invoke_handler),
        ):
            yield


ID_AFTER = {"documents", "tasks", "approvals", "resources", "bookings"}


def route_of(path: str) -> str:
    """``/api/tasks/X.review.1.0/decision`` -> ``/api/tasks/{id}/decision`` (one row per route)."""
    parts = path.split("/")
    return "/".join(
        "{id}" if index > 0 and parts[index - 1] in ID_AFTER and part else part for index, part in enumerate(parts)
    )


def is_polling(source: str) -> bool:
    return " GET " in source


def is_flow(source: str) -> bool:
    return source != GATEWAY and not is_polling(source)


class Driver:
    """The JSON API through the gateway (no socket), as signed-in users."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.tokens: dict[str, str] = {}
        self.users = stack.invoke_http("GET", "/_local/users").json()

    def with_role(self, role: str) -> list[str]:
        return sorted(u["user_id"] for u in self.users if role in u["roles"])

    def call(self, method: str, path: str, user: str, body: Any = None) -> tuple[int, Any]:
        if user not in self.tokens:
            self.tokens[user] = self.stack.login(user)
        response = self.stack.invoke_http(
            method, path, body=body, headers={"Authorization": f"Bearer {self.tokens[user]}"}
        )
        return response.status, (response.json() if response.body else None)

    def submit(self, countersigners: list[str], title: str) -> str:
        body = {
            "doc_type": "通知",
            "title": title,
            "body": "各处室：\n一、高度重视安全生产工作。\n二、认真开展隐患排查。\n请认真贯彻执行。",
            "main_recipients": ["各处室"],
            "cc": ["市应急管理局"],
            "urgency": "",
            "classification": "非密",
            "reviewer": self.with_role("reviewer")[0],
            "countersigners": countersigners,
            "countersign_mode": "parallel",
            "signer": self.with_role("signer")[0],
            "distribute_to": ["bgs", "cwk", "市财政局"],
        }
        status, reply = self.call("POST", "/api/documents", self.with_role("drafter")[0], body)
        if status != 201:
            raise RuntimeError(f"submit failed: {status} {reply}")
        return str(reply["document_id"])

    def approve(self, user: str, document_id: str, step: str) -> None:
        def find() -> dict[str, Any] | None:
            status, tasks = self.call("GET", "/api/tasks", user)
            if status != 200:
                raise RuntimeError(f"GET /api/tasks failed: {status} {tasks}")
            return next((t for t in tasks if t["document_id"] == document_id and t["step"] == step), None)

        task = wait_for(find, f"{step} task of {user}", WAIT_SECONDS)
        status, reply = self.call(
            "POST", f"/api/tasks/{task['task_id']}/decision", user, {"decision": "approve", "opinion": "同意"}
        )
        if status != 200:
            raise RuntimeError(f"decision failed: {status} {reply}")

    def run_document(self, k: int, title: str) -> str:
        """One happy-path document with k parallel countersigners, until archived."""
        people = self.with_role("countersigner")[:k]
        if len(people) < k:
            raise RuntimeError(f"the demo organisation has only {len(people)} countersigners")
        document_id = self.submit(people, title)
        self.approve(self.with_role("reviewer")[0], document_id, "review")
        for person in people:
            self.approve(person, document_id, "countersign")
        self.approve(self.with_role("signer")[0], document_id, "sign")
        admin = self.with_role("admin")[0]
        wait_for(
            lambda: self.call("GET", f"/api/documents/{document_id}", admin)[1]["status"] == "archived",
            f"{document_id} archived",
            WAIT_SECONDS,
        )
        return document_id


def executions(stack: LocalStack, document_id: str) -> list[dict[str, Any]]:
    listed = stack.sfn.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]
    return [dict(e) for e in listed if e["name"].startswith(document_id)]


def wait_finished(stack: LocalStack, document_id: str) -> None:
    def finished() -> bool:
        found = executions(stack, document_id)
        return bool(found) and all(e["status"] != "RUNNING" for e in found)

    wait_for(finished, f"executions of {document_id} to finish", WAIT_SECONDS)


def history_events(stack: LocalStack, document_id: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for execution in executions(stack, document_id):
        pages = stack.sfn.get_paginator("get_execution_history").paginate(executionArn=execution["executionArn"])
        events += [dict(event) for page in pages for event in page["events"]]
    return events


@dataclass
class DocumentCost:
    k: int
    document_id: str
    seconds: float
    transitions: int
    entered: list[str]
    execution_status: list[str]
    requests: Counter[tuple[str, str]]
    scans: list[str]

    @property
    def target(self) -> int:
        return 12 + self.k

    def by_operation(self, keep: Callable[[str], bool] = is_flow) -> Counter[str]:
        result: Counter[str] = Counter()
        for (source, operation), count in self.requests.items():
            if keep(source):
                result[operation] += count
        return result

    def by_source(self) -> Counter[str]:
        result: Counter[str] = Counter()
        for (source, _operation), count in self.requests.items():
            result[source] += count
        return result


def measure_document(stack: LocalStack, driver: Driver, counter: DynamoCounter, k: int) -> DocumentCost:
    counter.reset()
    started = time.perf_counter()
    document_id = driver.run_document(k, f"关于基准测试第{k}号的通知（{k}人会签）")
    seconds = time.perf_counter() - started
    wait_finished(stack, document_id)
    requests = counter.snapshot()
    scans = list(counter.scans)
    events = history_events(stack, document_id)
    entered = [
        str(event.get("stateEnteredEventDetails", {}).get("name", "?"))
        for event in events
        if str(event["type"]).endswith("StateEntered")
    ]
    return DocumentCost(
        k=k,
        document_id=document_id,
        seconds=seconds,
        transitions=len(entered),
        entered=entered,
        execution_status=[e["status"] for e in executions(stack, document_id)],
        requests=requests,
        scans=scans,
    )


@dataclass
class FlowResult:
    import_seconds: float
    start_seconds: float
    costs: list[DocumentCost]
    timed: DocumentCost
    stop_seconds: float


def measure(progress: bool = True) -> FlowResult:
    started = time.perf_counter()
    from infra.local.stack import LocalStack

    imported = time.perf_counter()
    counter = DynamoCounter()
    # The handlers' Powertools loggers write JSON lines to stdout, which carries the report.
    with counter.installed(), contextlib.redirect_stdout(io.StringIO()):
        stack = LocalStack()
        stack.start()
        start_seconds = time.perf_counter() - imported
        try:
            driver = Driver(stack)
            costs = []
            for k in KS:
                costs.append(measure_document(stack, driver, counter, k))
                if progress:
                    print(f"  flow: k={k} done", file=sys.stderr, flush=True)
            timed = measure_document(stack, driver, counter, TIMED_K)
        finally:
            stopping = time.perf_counter()
            stack.stop()
            stop_seconds = time.perf_counter() - stopping
    return FlowResult(
        import_seconds=imported - started,
        start_seconds=start_seconds,
        costs=costs,
        timed=timed,
        stop_seconds=stop_seconds,
    )


def _ops(counter: Counter[str]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"


def report(result: FlowResult) -> str:
    costs = result.costs
    out = [
        "## 2. Cost of one happy-path document (k countersigners, parallel)",
        "",
        "Real flow on the in-process `LocalStack`, driven through the JSON API (submit, then every decider "
        "approves from `GET /api/tasks`). Transitions: `*StateEntered` events of the document's executions. "
        "DynamoDB: requests made by the handlers, counted by operation in botocore "
        "(`BaseClient._make_api_call`, so pynamodb's own session is included); the document's cost is the "
        "workflow functions plus the API calls that move it (submit, decisions). The driver's polling "
        "(`GET /api/tasks`, `GET /api/documents/{id}`) and the local gateway's sign-in lookups are listed apart.",
        "",
        "| k | transitions | target ≤ 12+k | | DynamoDB requests (document) | Scan | polling requests | seconds |",
        "|---:|---:|---:|:---:|---:|:---:|---:|---:|",
    ]
    for cost in costs:
        ok = cost.transitions <= cost.target
        any_scan = "**yes**" if cost.scans else "none"
        out.append(
            f"| {cost.k} | {cost.transitions} | {cost.target} | {'pass' if ok else '**FAIL**'} | "
            f"{sum(cost.by_operation().values())} | {any_scan} | {sum(cost.by_operation(is_polling).values())} | "
            f"{cost.seconds:.2f} |"
        )
    operations = sorted({op for cost in costs for op in cost.by_operation()})
    out += [
        "",
        "DynamoDB requests of the document, by operation:",
        "",
        "| operation | " + " | ".join(f"k={cost.k}" for cost in costs) + " |",
        "|---|" + "---:|" * len(costs),
    ]
    for op in operations:
        out.append(f"| {op} | " + " | ".join(str(cost.by_operation()[op]) for cost in costs) + " |")
    out.append("| **total** | " + " | ".join(f"**{sum(cost.by_operation().values())}**" for cost in costs) + " |")
    sources = sorted({source for cost in costs for source in cost.by_source()}, key=lambda s: (not is_flow(s), s))
    out += [
        "",
        "By handler (requests per document; polling and gateway rows are the driver's, not the document's):",
        "",
        "| source | " + " | ".join(f"k={cost.k}" for cost in costs) + " |",
        "|---|" + "---:|" * len(costs),
    ]
    for source in sources:
        label = source if is_flow(source) else f"*{source}*"
        out.append(f"| {label} | " + " | ".join(str(cost.by_source()[source]) for cost in costs) + " |")
    out += [
        "",
        "States entered (k=3): " + " → ".join(f"`{name}`" for name in costs[-1].entered),
        "",
        "Executions: "
        + "; ".join(f"k={cost.k}: {', '.join(cost.execution_status)}" for cost in costs)
        + ". Polling reads by operation (all k): "
        + _ops(sum((cost.by_operation(is_polling) for cost in costs), Counter()))
        + ". Gateway sign-in lookups (all k): "
        + _ops(sum((cost.by_operation(lambda s: s == GATEWAY) for cost in costs), Counter()))
        + ".",
        "",
    ]
    all_scans = [scan for cost in [*costs, result.timed] for scan in cost.scans]
    out.append("**Scan: none.**" if not all_scans else "**Scan happened:** " + "; ".join(sorted(set(all_scans))))
    out.append("")
    return "\n".join(out)
