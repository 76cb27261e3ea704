"""What one document costs on the in-process local stack: transitions, invocations, AWS requests.

The flow runs for real on ``infra.local.stack.LocalStack`` (moto executing the ASL, the real
handlers dispatched in-process) and is driven through the gateway as the JSON API's users would:
the drafter submits; each decider finds the task in ``GET /api/tasks``, reads the document and
decides with ``POST /api/tasks/{id}/decision``; the drafter reads the archived document and its PDF.

Counting (``infra.bench.meter``): state transitions are the ``*StateEntered`` events of the
document's executions (DocumentFlow and its DeliveryFlows: what Step Functions Standard bills);
every AWS request is counted in botocore and every invocation in the local Lambda dispatch, by the
handler that made it; the people's requests and the workflow functions are the document's cost,
the driver's polling while it waits and the local stand-ins are counted apart. ``summarize`` turns
them into the unit of work ``make cost`` prices (``infra.bench.units``).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.bench.meter import Meter, Records
from infra.bench.units import by_operation, by_source, summarize
from infra.local.polling import wait_for

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

WAIT_SECONDS = 60.0
KS = (0, 1, 3)
TIMED_K = 2
DISTRIBUTE_TO = ["bgs", "cwk", "示例市财政局"]
"""Two departments and one registered external unit with a mailbox (对外发送 by email)."""


class Driver:
    """The JSON API through the gateway (no socket), as signed-in users.

    Every request says what it is to the meter: ``user`` (what a person does: submit, open the task
    list, read the document, decide, open the PDF) or ``poll`` (the driver waiting for the flow).
    """

    def __init__(self, stack: LocalStack, meter: Meter) -> None:
        self.stack = stack
        self.meter = meter
        self.tokens: dict[str, str] = {}
        with meter.phase("local"):
            self.users = stack.invoke_http("GET", "/_local/users").json()

    def with_role(self, role: str) -> list[str]:
        return sorted(u["user_id"] for u in self.users if role in u["roles"])

    def call(self, method: str, path: str, user: str, body: Any = None, phase: str = "user") -> tuple[int, Any]:
        with self.meter.phase(phase):
            if user not in self.tokens:
                self.tokens[user] = self.stack.login(user)
            response = self.stack.invoke_http(
                method, path, body=body, headers={"Authorization": f"Bearer {self.tokens[user]}"}
            )
        if response.headers.get("Content-Type", "").startswith("application/json") and response.body:
            return response.status, response.json()
        return response.status, response.body

    def expect(self, method: str, path: str, user: str, body: Any = None, status: int = 200) -> Any:
        got, reply = self.call(method, path, user, body)
        if got != status:
            raise RuntimeError(f"bench: {method} {path} answered {got}, not {status}: {reply!r}")
        return reply

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
            "distribute_to": DISTRIBUTE_TO,
        }
        reply = self.expect("POST", "/api/documents", self.with_role("drafter")[0], body, status=201)
        return str(reply["document_id"])

    def wait_task(self, user: str, subject_id: str, step: str) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            status, tasks = self.call("GET", "/api/tasks", user, phase="poll")
            if status != 200:
                raise RuntimeError(f"GET /api/tasks failed: {status} {tasks}")
            return next((t for t in tasks if t["document_id"] == subject_id and t["step"] == step), None)

        return dict(wait_for(find, f"{step} task of {user}", WAIT_SECONDS))

    def approve(self, user: str, document_id: str, step: str) -> None:
        """A decider's visit: the task list, the document, the decision."""
        task = self.wait_task(user, document_id, step)
        self.expect("GET", "/api/tasks", user)
        self.expect("GET", f"/api/documents/{document_id}", user)
        self.expect("POST", f"/api/tasks/{task['task_id']}/decision", user, {"decision": "approve", "opinion": "同意"})

    def run_document(self, k: int, title: str) -> str:
        """One happy-path document with k parallel countersigners, until archived; then the drafter
        reads it and opens its PDF."""
        people = self.with_role("countersigner")[:k]
        if len(people) < k:
            raise RuntimeError(f"the demo organisation has only {len(people)} countersigners")
        document_id = self.submit(people, title)
        self.approve(self.with_role("reviewer")[0], document_id, "review")
        for person in people:
            self.approve(person, document_id, "countersign")
        self.approve(self.with_role("signer")[0], document_id, "sign")
        drafter = self.with_role("drafter")[0]
        wait_for(
            lambda: self.call("GET", f"/api/documents/{document_id}", drafter, phase="poll")[1]["status"] == "archived",
            f"{document_id} archived",
            WAIT_SECONDS,
        )
        self.expect("GET", f"/api/documents/{document_id}", drafter)
        self.expect("GET", f"/api/documents/{document_id}/pdf", drafter)
        return document_id


def executions(stack: LocalStack, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    """(state machine, execution) of every execution whose name starts with ``prefix``."""
    found = []
    for machine, arn in sorted(stack.state_machines.items()):
        listed = stack.sfn.list_executions(stateMachineArn=arn)["executions"]
        found += [(machine, dict(e)) for e in listed if e["name"].startswith(prefix)]
    return found


def wait_finished(stack: LocalStack, prefix: str) -> None:
    def finished() -> bool:
        found = executions(stack, prefix)
        return bool(found) and all(e["status"] != "RUNNING" for _, e in found)

    wait_for(finished, f"executions of {prefix} to finish", WAIT_SECONDS)


@dataclass
class FlowFigures:
    """What Step Functions did for a subject: transitions (billed), history events (logged), statuses."""

    transitions: dict[str, int]
    history_events: dict[str, int]
    executions: dict[str, int]
    entered: dict[str, list[str]]
    statuses: list[str]


def flow_figures(stack: LocalStack, prefix: str) -> FlowFigures:
    figures = FlowFigures({}, {}, {}, {}, [])
    for machine, execution in executions(stack, prefix):
        pages = stack.sfn.get_paginator("get_execution_history").paginate(executionArn=execution["executionArn"])
        events: list[dict[str, Any]] = [dict(event) for page in pages for event in page["events"]]
        names = [
            str(e.get("stateEnteredEventDetails", {}).get("name", "?"))
            for e in events
            if str(e["type"]).endswith("StateEntered")
        ]
        figures.transitions[machine] = figures.transitions.get(machine, 0) + len(names)
        figures.history_events[machine] = figures.history_events.get(machine, 0) + len(events)
        figures.executions[machine] = figures.executions.get(machine, 0) + 1
        figures.entered.setdefault(machine, []).extend(names)
        figures.statuses.append(f"{machine} {execution['status']}")
    return figures


def stored_objects(stack: LocalStack, document_id: str) -> dict[str, int]:
    """Sizes of the objects the document left in the archive bucket, by key pattern."""
    bucket = stack.env["ARCHIVE_BUCKET"]
    versions = stack.s3.list_object_versions(Bucket=bucket).get("Versions", [])
    return {
        str(v["Key"]).replace(document_id, "{id}"): int(v["Size"]) for v in versions if document_id in str(v["Key"])
    }


@dataclass
class DocumentCost:
    k: int
    document_id: str
    seconds: float
    figures: FlowFigures
    records: Records
    objects: dict[str, int]
    unit: dict[str, Any]

    @property
    def transitions(self) -> int:
        """DocumentFlow's transitions: the figure with a target (the deliveries are counted in ``unit``)."""
        return self.figures.transitions.get("DocumentFlow", 0)

    @property
    def entered(self) -> list[str]:
        return self.figures.entered.get("DocumentFlow", [])

    @property
    def target(self) -> int:
        return 12 + self.k

    @property
    def scans(self) -> list[str]:
        return self.records.scans


def measure_document(stack: LocalStack, driver: Driver, meter: Meter, k: int) -> DocumentCost:
    meter.take()
    started = time.perf_counter()
    document_id = driver.run_document(k, f"关于基准测试第{k}号的通知（{k}人会签）")
    seconds = time.perf_counter() - started
    with meter.phase("local"):
        wait_finished(stack, document_id)
        figures = flow_figures(stack, document_id)
        objects = stored_objects(stack, document_id)
    records = meter.take()
    unit = summarize(
        records,
        transitions=figures.transitions,
        history_events=figures.history_events,
        executions=figures.executions,
        description=f"one 通知 with {k} parallel countersigner(s), submitted, decided through the JSON API, "
        f"issued, distributed to {len(DISTRIBUTE_TO)} recipients (one external, by email) and archived",
    )
    unit["s3_objects"] = objects
    return DocumentCost(k, document_id, seconds, figures, records, objects, unit)


def measure_reminder_run(meter: Meter) -> dict[str, Any]:
    """One scheduled 催办 run with nothing overdue: what every hour of every day costs."""
    from infra.local import lambda_dispatch

    meter.take()
    event = {"source": "aws.events", "detail-type": "Scheduled Event", "time": "2026-12-01T00:00:00Z"}
    with meter.phase("local"):
        lambda_dispatch.invoke_handler(lambda_dispatch.function("RemindersFunction"), event)
    return summarize(meter.take(), description="one scheduled 催办 run (ReminderSchedule) with nothing overdue")


@dataclass
class FlowResult:
    import_seconds: float
    start_seconds: float
    costs: list[DocumentCost]
    timed: DocumentCost
    stop_seconds: float
    reminder_run: dict[str, Any]

    def units(self) -> dict[str, dict[str, Any]]:
        found = {f"document_k{cost.k}": cost.unit for cost in self.costs}
        found["reminder_run"] = self.reminder_run
        return found


def measure(progress: bool = True) -> FlowResult:
    started = time.perf_counter()
    from infra.local.stack import LocalStack

    imported = time.perf_counter()
    meter = Meter()
    # The handlers' Powertools loggers write JSON lines to stdout, which carries the report: the
    # meter's stdout counts them (CloudWatch Logs ingests them on AWS) and keeps none.
    with meter.installed():
        stack = LocalStack()
        with meter.phase("local"):
            stack.start()
        start_seconds = time.perf_counter() - imported
        try:
            driver = Driver(stack, meter)
            costs = []
            for k in KS:
                costs.append(measure_document(stack, driver, meter, k))
                if progress:
                    print(f"  flow: k={k} done", file=sys.stderr, flush=True)
            timed = measure_document(stack, driver, meter, TIMED_K)
            reminder_run = measure_reminder_run(meter)
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
        reminder_run=reminder_run,
    )


def _ops(counter: Counter[str]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"


def report(result: FlowResult) -> str:
    costs = result.costs
    ops = [by_operation(cost.records) for cost in costs]
    sources = [by_source(cost.records) for cost in costs]
    out = [
        "## 2. Cost of one happy-path document (k countersigners, parallel)",
        "",
        "Real flow on the in-process `LocalStack`, driven through the JSON API as people use it (the drafter "
        "submits; each decider opens the task list and the document, then decides; the drafter reads the "
        "archived document and opens its PDF). Transitions: `*StateEntered` events of the document's "
        "DocumentFlow execution (its DeliveryFlow executions are in the counts below). DynamoDB: requests "
        "counted in botocore (`BaseClient._make_api_call`, so pynamodb's own session is included) for the "
        "workflow functions and the people's requests; the driver's polling while it waits and the local "
        "gateway's sign-in lookups are listed apart.",
        "",
        "| k | transitions | target ≤ 12+k | | DynamoDB requests (document) | Scan | polling requests | seconds |",
        "|---:|---:|---:|:---:|---:|:---:|---:|---:|",
    ]
    for cost, counted in zip(costs, ops, strict=True):
        ok = cost.transitions <= cost.target
        out.append(
            f"| {cost.k} | {cost.transitions} | {cost.target} | {'pass' if ok else '**FAIL**'} | "
            f"{sum(counted.values())} | {'**yes**' if cost.scans else 'none'} | "
            f"{cost.unit['excluded']['poll_api_requests']} | {cost.seconds:.2f} |"
        )
    out += [
        "",
        "DynamoDB requests of the document, by operation:",
        "",
        "| operation | " + " | ".join(f"k={cost.k}" for cost in costs) + " |",
        "|---|" + "---:|" * len(costs),
    ]
    for op in sorted({op for counted in ops for op in counted}):
        out.append(f"| {op} | " + " | ".join(str(counted[op]) for counted in ops) + " |")
    out.append("| **total** | " + " | ".join(f"**{sum(counted.values())}**" for counted in ops) + " |")
    out += [
        "",
        "By handler (requests per document; the polling rows are the driver's, not the document's):",
        "",
        "| source | " + " | ".join(f"k={cost.k}" for cost in costs) + " |",
        "|---|" + "---:|" * len(costs),
    ]
    for source in sorted({s for counted in sources for s in counted}, key=lambda s: (s.startswith("*"), s)):
        out.append(f"| {source} | " + " | ".join(str(counted[source]) for counted in sources) + " |")
    local = sum(cost.unit["excluded"]["local_aws_requests"] for cost in costs)
    out += [
        "",
        "States entered (k=3): " + " → ".join(f"`{name}`" for name in costs[-1].entered),
        "",
        "Executions: "
        + "; ".join(f"k={cost.k}: {', '.join(cost.figures.statuses)}" for cost in costs)
        + f". Not counted (all k): {local} requests of the local stand-ins and of the bench itself.",
        "",
    ]
    all_scans = [scan for cost in [*costs, result.timed] for scan in cost.scans]
    out.append("**Scan: none.**" if not all_scans else "**Scan happened:** " + "; ".join(sorted(set(all_scans))))
    out.append("")
    return "\n".join(out)
