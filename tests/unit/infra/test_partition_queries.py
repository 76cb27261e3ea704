"""moto's Query on a primary key, read from the one partition (infra.local.moto_speedups): the same items
in the same order, page by page, as moto's own Query over the whole table."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from infra.local.moto_speedups import partition_queries


def _pages(client: Any, forward: bool) -> list[list[str]]:
    pages, start = [], None
    while True:
        extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
        reply = client.query(
            TableName="t",
            KeyConditionExpression="PK = :p AND begins_with(SK, :s)",
            ExpressionAttributeValues={":p": {"S": "archive#安全"}, ":s": {"S": "2026"}},
            ScanIndexForward=forward,
            Limit=3,
            **extra,
        )
        pages.append([item["SK"]["S"] for item in reply["Items"]])
        start = reply.get("LastEvaluatedKey")
        if not start:
            return pages


def test_a_partition_query_returns_what_moto_returns_over_the_whole_table() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK")],
            BillingMode="PAY_PER_REQUEST",
        )
        for pk in ("archive#安全", "archive#检查", "outgoing#安全"):
            for n in range(8):
                client.put_item(TableName="t", Item={"PK": {"S": pk}, "SK": {"S": f"{2025 + n % 2}-0{n}#D{n}"}})
        expected = [_pages(client, forward) for forward in (True, False)]
        with partition_queries():
            got = [_pages(client, forward) for forward in (True, False)]
            missing = client.query(
                TableName="t",
                KeyConditionExpression="PK = :p",
                ExpressionAttributeValues={":p": {"S": "archive#无此词"}},
            )
    assert got == expected and sum(len(page) for page in got[0]) == 4
    assert missing["Items"] == []
