"""What a unit of work asks of AWS, counted where the SDK sends it: every botocore call, every
Lambda invocation, every log byte.

``Meter.installed()`` wraps ``botocore.client.BaseClient._make_api_call`` (so boto3's clients and
pynamodb's own botocore session alike), ``lambda_dispatch.invoke_handler`` (every invocation, from
the API Gateway stand-in and from Step Functions alike) and ``oa_core.platform.metrics.count``, and
gives ``sys.stdout`` a stream that counts the bytes the handlers' loggers write there.

Every record carries an *origin*, so that only what the unit of work costs on AWS is billed:

* ``user``: an API request a person makes (the driver says so with ``phase("user")``), and what its
  handler does;
* ``flow``: an invocation with a non-HTTP event (a Step Functions task, the schedule) and what it does;
* ``states``: a call made outside any handler on a thread the driver does not own: Step Functions'
  own service integrations (its ``lambda:invoke``, billed as the invocation, and ``sqs:sendMessage``);
* ``poll``: the driver's polling while it waits (``phase("poll")``), reported apart, never billed;
* ``local``: the driver's and the local gateway's own calls outside a handler (the sign-in
  stand-in's lookups; the bench reading execution histories), never billed.
"""

from __future__ import annotations

import io
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

OA_CORE_LAYER = Path(__file__).resolve().parents[2] / "layers" / "oa_core"
BILLED = frozenset({"user", "flow", "states"})
ID_AFTER = {"documents", "tasks", "approvals", "resources", "bookings", "meetings", "incoming"}


def route_of(path: str) -> str:
    """``/api/tasks/X.review.1.0/decision`` -> ``/api/tasks/{id}/decision`` (one row per route)."""
    parts = path.split("/")
    return "/".join(
        "{id}" if index > 0 and parts[index - 1] in ID_AFTER and part else part for index, part in enumerate(parts)
    )


@dataclass(frozen=True)
class Call:
    """One AWS API request as the SDK sent it."""

    origin: str
    source: str
    service: str
    operation: str
    items: int = 1
    """Items the request reads or writes (a batch's or a transaction's items; 1 otherwise)."""
    read_units: float = 0.0
    write_units: float = 0.0
    bytes_out: int = 0
    """Bytes sent as payload: an S3 object's body, a raw email."""
    bytes_in: int = 0
    """Bytes received as payload: an S3 object's body."""
    recipients: int = 0
    stored_bytes: int = 0
    """DynamoDB item bytes a write leaves in the table (Put items; updates are not sized)."""


@dataclass(frozen=True)
class Invocation:
    origin: str
    function: str
    label: str
    memory_mb: int
    seconds: float
    """Wall time of the handler in this process, minus the invocations nested in it."""


@dataclass
class Records:
    calls: list[Call] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)
    log_bytes: dict[str, int] = field(default_factory=dict)
    """Bytes written to stdout by handlers, by origin."""
    metrics: list[tuple[str, str, tuple[tuple[str, str], ...]]] = field(default_factory=list)
    """(origin, metric name, dimensions) of every business metric emitted."""
    scans: list[str] = field(default_factory=list)


def item_size(item: dict[str, Any]) -> int:
    """The size DynamoDB bills an item at, from its wire form (attribute names plus values)."""
    return sum(len(name.encode("utf-8")) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(str(raw).encode("utf-8"))
    if kind == "N":
        return len(str(raw).lstrip("-").replace(".", "")) // 2 + 2
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: element}) for element in raw)
    if kind == "L":
        return 3 + sum(1 + _value_size(element) for element in raw)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + _value_size(element) for name, element in raw.items())
    return 0


def _units(size: int, unit: int) -> int:
    return max(1, -(-size // unit))


DYNAMODB_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


class ItemSizes:
    """The last size seen of each item, so that an update is billed at the item's size."""

    def __init__(self) -> None:
        self._sizes: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(table: str, item_or_key: dict[str, Any], key_names: tuple[str, ...] = ("PK", "SK")) -> tuple[str, str]:
        return table, repr(sorted((k, repr(item_or_key[k])) for k in key_names if k in item_or_key))

    def seen(self, table: str, item: dict[str, Any]) -> None:
        with self._lock:
            self._sizes[self._key(table, item)] = item_size(item)

    def size_of(self, table: str, key: dict[str, Any]) -> int:
        with self._lock:
            return self._sizes.get(self._key(table, key), 1024)


def dynamodb_call(sizes: ItemSizes, operation: str, params: dict[str, Any], response: Any) -> dict[str, Any]:
    """Items, request units and stored bytes of one DynamoDB request.

    Request units follow the on-demand rules: a read of up to 4 KB is 1 unit strongly consistent,
    0.5 eventually consistent, 2 in a transaction; a write of up to 1 KB is 1 unit, 2 in a
    transaction. A Query is billed on the total size it returns; an update or a delete at the
    item's last size seen (1 KB when never seen).
    """
    reply = response if isinstance(response, dict) else {}
    table = str(params.get("TableName", ""))
    consistent = 1.0 if params.get("ConsistentRead") else 0.5
    if operation == "GetItem":
        item = reply.get("Item")
        if item:
            sizes.seen(table, item)
        return {"read_units": _units(item_size(item) if item else 1, 4096) * consistent}
    if operation == "Query" or operation == "Scan":
        items = reply.get("Items") or []
        for item in items:
            sizes.seen(table, item)
        total = sum(item_size(item) for item in items)
        return {"items": max(1, len(items)), "read_units": _units(total, 4096) * consistent}
    if operation == "BatchGetItem":
        units, count = 0.0, 0
        for name, items in (reply.get("Responses") or {}).items():
            factor = 1.0 if (params.get("RequestItems") or {}).get(name, {}).get("ConsistentRead") else 0.5
            for item in items:
                sizes.seen(name, item)
                units += _units(item_size(item), 4096) * factor
                count += 1
        return {"items": max(1, count), "read_units": units}
    if operation == "TransactGetItems":
        units = sum(_units(item_size(r.get("Item") or {}), 4096) * 2.0 for r in reply.get("Responses") or [])
        return {"items": len(params.get("TransactItems") or []), "read_units": units}
    if operation == "PutItem":
        size = item_size(params.get("Item") or {})
        sizes.seen(table, params.get("Item") or {})
        return {"write_units": _units(size, 1024), "stored_bytes": size}
    if operation in ("UpdateItem", "DeleteItem"):
        return {"write_units": _units(sizes.size_of(table, params.get("Key") or {}), 1024)}
    if operation == "BatchWriteItem":
        units, count, stored = 0, 0, 0
        for name, requests in (params.get("RequestItems") or {}).items():
            for request in requests:
                count += 1
                put = (request.get("PutRequest") or {}).get("Item")
                if put:
                    sizes.seen(name, put)
                    stored += item_size(put)
                    units += _units(item_size(put), 1024)
                else:
                    units += 1
        return {"items": count, "write_units": units, "stored_bytes": stored}
    if operation == "TransactWriteItems":
        units, stored = 0, 0
        entries = params.get("TransactItems") or []
        for entry in entries:
            if "Put" in entry:
                put = entry["Put"]
                size = item_size(put.get("Item") or {})
                sizes.seen(str(put.get("TableName", "")), put.get("Item") or {})
                stored += size
                units += 2 * _units(size, 1024)
            else:
                spec = next(iter(entry.values()))
                units += 2 * _units(sizes.size_of(str(spec.get("TableName", "")), spec.get("Key") or {}), 1024)
        return {"items": len(entries), "write_units": units, "stored_bytes": stored}
    return {}


def _body_size(body: Any) -> int:
    if isinstance(body, bytes | bytearray):
        return len(body)
    if isinstance(body, str):
        return len(body.encode("utf-8"))
    if hasattr(body, "seek") and hasattr(body, "tell"):
        position = body.tell()
        body.seek(0, io.SEEK_END)
        size = int(body.tell())
        body.seek(position)
        return size
    return 0


class _CountingStdout(io.TextIOBase):
    """Stands for stdout while the bench runs: counts what each origin writes, keeps nothing.

    One instance for the process: a Powertools Logger keeps the stream it found at its creation
    (and later Loggers of the same service reuse its handler), so every meter counts through it.
    """

    meter: Meter | None = None

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.meter is not None:
            self.meter._logged(len(text.encode("utf-8")))
        return len(text)


_STDOUT = _CountingStdout()


class Meter:
    """Counts calls, invocations, log bytes and metrics by origin; ``take()`` hands them over."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self._records = Records()
        self._sizes = ItemSizes()
        self._paused = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Nothing is recorded meanwhile (the bench's own bulk writes: a million batch items would only
        fill the records and the item sizes)."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    # ------------------------------------------------------------------ phases
    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """What the driver's requests on this thread are: ``user``, ``poll`` or ``local``."""
        previous = getattr(self._local, "phase", None)
        self._local.phase = name
        try:
            yield
        finally:
            self._local.phase = previous

    def _origin(self) -> str:
        inside = getattr(self._local, "origin", None)
        if inside is not None:
            return str(inside)
        return "local" if getattr(self._local, "phase", None) else "states"

    def _source(self) -> str:
        return str(getattr(self._local, "source", "") or "")

    # ------------------------------------------------------------------ records
    def take(self) -> Records:
        """Everything recorded since the last ``take()``."""
        with self._lock:
            taken, self._records = self._records, Records()
            return taken

    def _logged(self, size: int) -> None:
        origin = str(getattr(self._local, "origin", None) or "local")
        with self._lock:
            self._records.log_bytes[origin] = self._records.log_bytes.get(origin, 0) + size

    def _record_call(self, service: str, operation: str, params: Any, response: Any) -> None:
        params = params if isinstance(params, dict) else {}
        extra: dict[str, Any] = {}
        if service == "dynamodb":
            extra = dynamodb_call(self._sizes, operation, params, response)
        elif service == "s3" and operation in ("PutObject", "UploadPart"):
            extra = {"bytes_out": _body_size(params.get("Body"))}
        elif service == "s3" and operation == "GetObject" and isinstance(response, dict):
            extra = {"bytes_in": int(response.get("ContentLength") or 0)}
        elif service == "ses" and operation in ("SendRawEmail", "SendEmail"):
            raw = (params.get("RawMessage") or {}).get("Data", b"")
            sent_to = params.get("Destination") or {}
            destinations = params.get("Destinations") or [
                address for k in ("ToAddresses", "CcAddresses", "BccAddresses") for address in sent_to.get(k, [])
            ]
            extra = {"bytes_out": _body_size(raw), "recipients": len(destinations)}
        call = Call(self._origin(), self._source(), service, operation, **extra)
        with self._lock:
            self._records.calls.append(call)
            if service == "dynamodb" and operation == "Scan":
                self._records.scans.append(f"{call.source or call.origin}: Scan {params.get('TableName', '?')}")

    def _record_metric(self, name: str, dimensions: dict[str, str]) -> None:
        with self._lock:
            self._records.metrics.append((self._origin(), name, tuple(sorted(dimensions.items()))))

    # ------------------------------------------------------------------ patches
    @contextmanager
    def installed(self) -> Iterator[None]:
        import botocore.client

        from infra.local import lambda_dispatch

        if str(OA_CORE_LAYER) not in sys.path:
            sys.path.insert(0, str(OA_CORE_LAYER))  # as LocalStack.start() will: the layer every function has
        from oa_core.platform import metrics

        original_call = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]
        original_invoke = lambda_dispatch.invoke_handler
        original_count = metrics.count
        meter = self

        def make_api_call(client: Any, operation_name: str, api_params: Any) -> Any:
            response = original_call(client, operation_name, api_params)
            if meter._paused:
                return response
            meter._record_call(client.meta.service_model.service_name, operation_name, api_params, response)
            return response

        def invoke_handler(spec: Any, event: Any) -> Any:
            http = isinstance(event, dict) and bool(event.get("httpMethod"))
            label = spec.logical_id
            if http:
                label = f"{spec.logical_id} {event['httpMethod']} {route_of(str(event.get('path', '')))}"
            elif isinstance(event, dict) and event.get("action"):
                label = f"{spec.logical_id} ({event['action']})"
            local = meter._local
            saved = (getattr(local, "origin", None), getattr(local, "source", None), getattr(local, "nested", 0.0))
            local.origin = (getattr(local, "phase", None) or "user") if http else "flow"
            local.source, local.nested = label, 0.0
            started = time.perf_counter()
            try:
                return original_invoke(spec, event)
            finally:
                elapsed = time.perf_counter() - started
                invocation = Invocation(
                    local.origin, spec.logical_id, label, int(spec.memory_mb), max(0.0, elapsed - local.nested)
                )
                with meter._lock:
                    meter._records.invocations.append(invocation)
                local.origin, local.source, local.nested = saved[0], saved[1], saved[2] + elapsed

        def count(name: str, **dimensions: str) -> None:
            meter._record_metric(name, dimensions)
            original_count(name, **dimensions)

        with (
            mock.patch.object(botocore.client.BaseClient, "_make_api_call", make_api_call),
            mock.patch.object(lambda_dispatch, "invoke_handler", invoke_handler),
            mock.patch.object(metrics, "count", count),
            redirect_stdout(_STDOUT),
        ):
            _STDOUT.meter = self
            try:
                yield
            finally:
                _STDOUT.meter = None
