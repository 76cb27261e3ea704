"""A unit of work's counts as JSON: what ``make bench`` writes and ``make cost`` reads.

``summarize`` turns a ``meter.Records`` (plus the Step Functions figures the flow bench reads from
execution histories) into one plain dict per unit of work (a document, a booking, a meeting with
its approval, a reminder run). Only billed origins count (``user``, ``flow``, ``states``); the
driver's polling and the local stand-ins are reported apart under ``excluded``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from infra.bench.meter import BILLED, DYNAMODB_READS, DYNAMODB_WRITES, Records

SCHEMA = 1
S3_FREE_PREFIXES = ("Delete", "Abort")
S3_CLASS_A_PREFIXES = ("Put", "Copy", "Post", "List", "Create", "Upload", "Complete")
INVOKE_BY_STATES = ("lambda", "Invoke")
"""Step Functions' own ``lambda:invoke``: billed as the invocation it causes, not as a request."""


def s3_class(operation: str) -> str:
    """S3 bills PUT, COPY, POST and LIST requests at one rate, GET and the rest at another; DELETE is free."""
    if operation.startswith(S3_FREE_PREFIXES):
        return "free"
    return "class_a" if operation.startswith(S3_CLASS_A_PREFIXES) else "class_b"


def summarize(
    records: Records,
    *,
    transitions: dict[str, int] | None = None,
    history_events: dict[str, int] | None = None,
    executions: dict[str, int] | None = None,
    description: str = "",
) -> dict[str, Any]:
    calls = [c for c in records.calls if c.origin in BILLED and (c.service, c.operation) != INVOKE_BY_STATES]
    requests: dict[str, Counter[str]] = {}
    for call in calls:
        requests.setdefault(call.service, Counter())[call.operation] += 1

    invocations: dict[str, dict[str, Any]] = {}
    api_requests: Counter[str] = Counter()
    for invocation in records.invocations:
        if invocation.origin not in BILLED:
            continue
        entry = invocations.setdefault(
            invocation.function, {"count": 0, "seconds": 0.0, "memory_mb": invocation.memory_mb}
        )
        entry["count"] += 1
        entry["seconds"] = round(entry["seconds"] + invocation.seconds, 4)
        if invocation.origin == "user":
            api_requests[invocation.label.partition(" ")[2] or invocation.label] += 1

    dynamo = [c for c in calls if c.service == "dynamodb"]
    s3 = [c for c in calls if c.service == "s3"]
    ses = [c for c in calls if c.service == "ses"]
    s3_classes = Counter(s3_class(c.operation) for c in s3)
    polled = [c for c in records.calls if c.origin == "poll"]
    return {
        "description": description,
        "transitions": dict(sorted((transitions or {}).items())),
        "executions": dict(sorted((executions or {}).items())),
        "history_events": dict(sorted((history_events or {}).items())),
        "invocations": dict(sorted(invocations.items())),
        "api_requests": dict(sorted(api_requests.items())),
        "dynamodb": {
            "read_requests": sum(1 for c in dynamo if c.operation in DYNAMODB_READS),
            "write_requests": sum(1 for c in dynamo if c.operation in DYNAMODB_WRITES),
            "transact_write_requests": sum(1 for c in dynamo if c.operation == "TransactWriteItems"),
            "transact_items": sum(c.items for c in dynamo if c.operation.startswith("Transact")),
            "items_read": sum(c.items for c in dynamo if c.operation in DYNAMODB_READS),
            "items_written": sum(c.items for c in dynamo if c.operation in DYNAMODB_WRITES),
            "read_units": round(sum(c.read_units for c in dynamo), 2),
            "write_units": round(sum(c.write_units for c in dynamo), 2),
            "stored_bytes": sum(c.stored_bytes for c in dynamo),
            "scans": len(records.scans),
        },
        "s3": {
            "class_a_requests": s3_classes["class_a"],
            "class_b_requests": s3_classes["class_b"],
            "free_requests": s3_classes["free"],
            "bytes_put": sum(c.bytes_out for c in s3),
            "bytes_read": sum(c.bytes_in for c in s3),
        },
        "ses": {
            "send_requests": len(ses),
            "recipients": sum(c.recipients for c in ses),
            "bytes": sum(c.bytes_out for c in ses),
        },
        "requests": {service: dict(sorted(ops.items())) for service, ops in sorted(requests.items())},
        "log_bytes": sum(n for origin, n in records.log_bytes.items() if origin in BILLED),
        "metric_emissions": sum(1 for origin, _, _ in records.metrics if origin in BILLED),
        "metric_series": sorted({_series(name, dims) for origin, name, dims in records.metrics if origin in BILLED}),
        "excluded": {
            "poll_api_requests": sum(1 for i in records.invocations if i.origin == "poll"),
            "poll_aws_requests": len(polled),
            "local_aws_requests": sum(1 for c in records.calls if c.origin == "local"),
        },
    }


def _series(name: str, dimensions: tuple[tuple[str, str], ...]) -> str:
    return name + "".join(f" {key}={value}" for key, value in dimensions)


def by_source(records: Records, service: str = "dynamodb") -> Counter[str]:
    """Requests to one service by the handler that made them (billed origins; polling apart)."""
    result: Counter[str] = Counter()
    for call in records.calls:
        if call.service != service:
            continue
        if call.origin in BILLED:
            result[call.source or f"({call.origin})"] += 1
        elif call.origin == "poll":
            result[f"*{call.source} (polling)*"] += 1
    return result


def by_operation(records: Records, service: str = "dynamodb") -> Counter[str]:
    return Counter(c.operation for c in records.calls if c.service == service and c.origin in BILLED)


def template_functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every function of the template: its code directory, memory and architecture (Globals applied)."""
    defaults = (template.get("Globals") or {}).get("Function") or {}
    found: dict[str, dict[str, Any]] = {}
    for logical_id, resource in sorted((template.get("Resources") or {}).items()):
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**defaults, **(resource.get("Properties") or {})}
        found[logical_id] = {
            "code_dir": str(props.get("CodeUri", "")).rstrip("/").rpartition("/")[2],
            "memory_mb": int(props.get("MemorySize", 128)),
            "architectures": list(props.get("Architectures") or ["x86_64"]),
        }
    return found


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") or "0"
    return str(value)


def markdown(units: dict[str, dict[str, Any]]) -> str:
    """Section 5 of the report: what each unit of work asks of AWS (the figures ``make cost`` prices)."""
    names = list(units)

    def row(label: str, pick: Any) -> str:
        return f"| {label} | " + " | ".join(_cell(pick(units[name])) for name in names) + " |"

    def total(mapping: dict[str, Any]) -> int:
        return sum(int(v) for v in mapping.values())

    def gb_seconds(unit: dict[str, Any]) -> float:
        return float(sum(f["seconds"] * f["memory_mb"] / 1024 for f in unit["invocations"].values()))

    def ops(service: str) -> Any:
        return lambda u: ", ".join(f"{op} {n}" for op, n in u["requests"].get(service, {}).items()) or "0"

    out = [
        "## 5. What one unit of work asks of AWS (counted in botocore; priced by `make cost`)",
        "",
        "Billed origins only: the people's requests (API Gateway) with what their handlers do, the flows' "
        "invocations, and Step Functions' own service integrations; the driver's polling and the local "
        "stand-ins are left out. Written as JSON to `bench-results.json`.",
        "",
        "| measure | " + " | ".join(f"`{name}`" for name in names) + " |",
        "|---|" + "---:|" * len(names),
        row("state transitions", lambda u: total(u["transitions"])),
        row("… by state machine", lambda u: ", ".join(f"{m} {n}" for m, n in u["transitions"].items()) or "0"),
        row("execution history events (logged)", lambda u: total(u["history_events"])),
        row("Lambda invocations", lambda u: sum(f["count"] for f in u["invocations"].values())),
        row("Lambda GB-seconds (in-process handler time × MemorySize)", gb_seconds),
        row("API Gateway requests (people)", lambda u: total(u["api_requests"])),
        row("DynamoDB read requests", lambda u: u["dynamodb"]["read_requests"]),
        row("DynamoDB write requests", lambda u: u["dynamodb"]["write_requests"]),
        row("… of them TransactWriteItems (items)", lambda u: _transact(u["dynamodb"])),
        row("DynamoDB read / write request units", lambda u: _units_cell(u["dynamodb"])),
        row("S3 PUT-class / GET-class requests", lambda u: _s3_classes(u["s3"])),
        row("S3 bytes stored", lambda u: u["s3"]["bytes_put"]),
        row("KMS requests", ops("kms")),
        row("Secrets Manager requests", ops("secretsmanager")),
        row("SSM requests", ops("ssm")),
        row("emails sent (recipients)", lambda u: f"{u['ses']['send_requests']} ({u['ses']['recipients']})"),
        row("email bytes (SES)", lambda u: u["ses"]["bytes"]),
        row("SQS / SNS requests", lambda u: _pair(*(total(u["requests"].get(k, {})) for k in ("sqs", "sns")))),
        row("Step Functions API requests (not billed)", lambda u: total(u["requests"].get("stepfunctions", {}))),
        row("log bytes written by the handlers", lambda u: u["log_bytes"]),
        row("business metrics emitted (EMF)", lambda u: u["metric_emissions"]),
        row("*left out: polling requests / local calls*", lambda u: _excluded(u["excluded"])),
        "",
        "API requests by route: "
        + "; ".join(
            f"`{name}`: " + ", ".join(f"{route} ×{n}" for route, n in units[name]["api_requests"].items())
            for name in names
            if units[name]["api_requests"]
        )
        + ".",
        "",
        "Invocations by function (count, in-process seconds, MemorySize):",
        "",
        "| function | MB | " + " | ".join(f"`{name}`" for name in names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    functions = sorted({(fn, f["memory_mb"]) for u in units.values() for fn, f in u["invocations"].items()})
    for function, memory in functions:
        cells = []
        for name in names:
            found = units[name]["invocations"].get(function)
            cells.append(f"{found['count']} ({found['seconds']:.2f} s)" if found else "")
        out.append(f"| {function} | {memory} | " + " | ".join(cells) + " |")
    out.append("")
    return "\n".join(out)


def _pair(first: Any, second: Any) -> str:
    return f"{_cell(first)} / {_cell(second)}"


def _s3_classes(s3: dict[str, Any]) -> str:
    return _pair(s3["class_a_requests"], s3["class_b_requests"])


def _transact(dynamo: dict[str, Any]) -> str:
    return f"{dynamo['transact_write_requests']} ({dynamo['transact_items']})"


def _units_cell(dynamo: dict[str, Any]) -> str:
    return f"{_cell(dynamo['read_units'])} / {_cell(dynamo['write_units'])}"


def _excluded(excluded: dict[str, Any]) -> str:
    return f"{excluded['poll_api_requests']} / {excluded['local_aws_requests']}"
