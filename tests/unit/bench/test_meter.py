"""The bench's meter: DynamoDB request units from the wire form, S3 request classes, and which
origins a unit of work is billed for."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.bench.meter import Call, Invocation, ItemSizes, Meter, Records, dynamodb_call, item_size
from infra.bench.units import s3_class, summarize


def s(value: str) -> dict[str, str]:
    return {"S": value}


def item_of(size: int, pk: str = "DOC#1") -> dict[str, Any]:
    """An item of exactly ``size`` bytes as DynamoDB sizes it (PK, SK and a padding attribute)."""
    item: dict[str, Any] = {"PK": s(pk), "SK": s("META")}
    item["pad"] = s("x" * (size - item_size(item) - len("pad")))
    assert item_size(item) == size
    return item


def test_an_item_is_sized_by_its_attribute_names_and_values() -> None:
    assert item_size({"PK": s("DOC#1"), "title": s("通知")}) == 2 + 5 + 5 + 6
    assert item_size({"n": {"N": "12345"}, "ok": {"BOOL": True}}) == 1 + 4 + 2 + 1


def test_a_get_costs_half_a_unit_eventually_consistent_and_one_unit_strongly_consistent() -> None:
    sizes = ItemSizes()
    reply = {"Item": item_of(3000)}
    assert dynamodb_call(sizes, "GetItem", {"TableName": "t"}, reply)["read_units"] == 0.5
    assert dynamodb_call(sizes, "GetItem", {"TableName": "t", "ConsistentRead": True}, reply)["read_units"] == 1.0


def test_a_query_is_billed_on_the_total_size_it_returns() -> None:
    reply = {"Items": [item_of(2048), item_of(2048), item_of(2048)]}
    billed = dynamodb_call(ItemSizes(), "Query", {"TableName": "t"}, reply)
    assert billed == {"items": 3, "read_units": 1.0}, "6 KB eventually consistent: two 4 KB units at half price"


def test_a_transaction_doubles_every_item_and_an_update_costs_the_items_last_size() -> None:
    sizes = ItemSizes()
    big = item_of(3000)
    dynamodb_call(sizes, "PutItem", {"TableName": "t", "Item": big}, {})
    params = {
        "TransactItems": [
            {"Put": {"TableName": "t", "Item": item_of(500, pk="DOC#2")}},
            {"Update": {"TableName": "t", "Key": {"PK": big["PK"], "SK": big["SK"]}}},
            {"ConditionCheck": {"TableName": "t", "Key": {"PK": s("NEVER"), "SK": s("SEEN")}}},
        ]
    }
    billed = dynamodb_call(sizes, "TransactWriteItems", params, {})
    assert billed == {"items": 3, "write_units": 2 * 1 + 2 * 3 + 2 * 1, "stored_bytes": 500}


def test_s3_bills_put_and_list_at_one_rate_get_and_head_at_another_and_delete_not_at_all() -> None:
    assert [s3_class(op) for op in ("PutObject", "ListObjectsV2", "GetObject", "HeadObject", "DeleteObject")] == [
        "class_a",
        "class_a",
        "class_b",
        "class_b",
        "free",
    ]


def test_a_unit_is_billed_for_people_flows_and_step_functions_but_not_for_polling_or_the_bench() -> None:
    records = Records(
        calls=[
            Call("user", "ApiFunction POST /api/documents", "dynamodb", "PutItem", write_units=1),
            Call("flow", "NumberFunction", "kms", "Sign"),
            Call("states", "", "lambda", "Invoke"),
            Call("states", "", "sqs", "SendMessage"),
            Call("poll", "ApiFunction GET /api/tasks", "dynamodb", "Query"),
            Call("local", "", "dynamodb", "GetItem"),
        ],
        invocations=[
            Invocation("user", "ApiFunction", "ApiFunction POST /api/documents", 512, 0.2),
            Invocation("flow", "NumberFunction", "NumberFunction", 512, 0.3),
            Invocation("poll", "ApiFunction", "ApiFunction GET /api/tasks", 512, 0.1),
        ],
        log_bytes={"user": 100, "flow": 50, "poll": 999, "local": 999},
    )
    unit = summarize(records, transitions={"DocumentFlow": 9})
    assert unit["requests"] == {"dynamodb": {"PutItem": 1}, "kms": {"Sign": 1}, "sqs": {"SendMessage": 1}}
    assert unit["api_requests"] == {"POST /api/documents": 1}
    assert unit["invocations"] == {
        "ApiFunction": {"count": 1, "seconds": 0.2, "memory_mb": 512},
        "NumberFunction": {"count": 1, "seconds": 0.3, "memory_mb": 512},
    }
    assert unit["log_bytes"] == 150
    assert unit["excluded"] == {"poll_api_requests": 1, "poll_aws_requests": 1, "local_aws_requests": 1}


@pytest.fixture
def table() -> Any:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def test_the_meter_counts_sdk_calls_by_who_made_them(table: Any) -> None:
    meter = Meter()
    with meter.installed():
        with meter.phase("local"):
            table.put_item(TableName="t", Item={"PK": s("by-the-bench")})

        def service_integration() -> None:
            table.get_item(TableName="t", Key={"PK": s("by-the-bench")})

        worker = threading.Thread(target=service_integration)
        worker.start()
        worker.join(10)
    calls = meter.take().calls
    assert [(c.origin, c.operation) for c in calls] == [("local", "PutItem"), ("states", "GetItem")]
    assert calls[1].read_units == 0.5
