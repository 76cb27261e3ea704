"""The local stack lets a function reach DynamoDB only as its template Policies allow, as AWS would.

A throwaway template: one table with an index, a function reading with a SAM policy template, one
with explicit statements for a transaction. What a policy does not allow is refused with
AccessDeniedException and changes nothing; requests outside an invocation (this test) are not checked.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local.messages import Directory
from infra.local.stack import LocalStack

pytestmark = pytest.mark.integration

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
    Handler: app.handler
    Timeout: 10
    Environment:
      Variables:
        THINGS_TABLE: !Ref Things
Resources:
  Things:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: GSI1PK, AttributeType: S}
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      GlobalSecondaryIndexes:
        - IndexName: GSI1
          KeySchema: [{AttributeName: GSI1PK, KeyType: HASH}]
          Projection: {ProjectionType: ALL}
  # DynamoDBReadPolicy, a SAM policy template: reads (the index included), no writes.
  PeekFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/peek/
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref Things
  # Puts and condition checks on the table, nothing on its index, no delete.
  WriteFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/write/
      Policies:
        - Statement:
            - Sid: WriteThings
              Effect: Allow
              Action: [dynamodb:PutItem, dynamodb:ConditionCheckItem]
              Resource: !GetAtt Things.Arn
"""

PEEK_APP = """
import os
import boto3

def handler(event, context):
    ddb, table = boto3.client("dynamodb"), os.environ["THINGS_TABLE"]
    found = ddb.get_item(TableName=table, Key={"PK": {"S": "a"}})
    ddb.query(TableName=table, IndexName="GSI1", KeyConditionExpression="GSI1PK = :k",
              ExpressionAttributeValues={":k": {"S": "x"}})
    if event.get("write"):
        ddb.put_item(TableName=table, Item={"PK": {"S": "peeked"}})
    return {"found": "Item" in found}
"""

WRITE_APP = """
import os
import boto3

def handler(event, context):
    ddb, table = boto3.client("dynamodb"), os.environ["THINGS_TABLE"]
    items = [
        {"ConditionCheck": {"TableName": table, "Key": {"PK": {"S": "a"}},
                            "ConditionExpression": "attribute_exists(PK)"}},
        {"Put": {"TableName": table, "Item": {"PK": {"S": "b"}, "GSI1PK": {"S": "x"}}}},
    ]
    if event.get("delete"):
        items.append({"Delete": {"TableName": table, "Key": {"PK": {"S": "a"}}}})
    ddb.transact_write_items(TransactItems=items)
    if event.get("query"):
        ddb.query(TableName=table, IndexName="GSI1", KeyConditionExpression="GSI1PK = :k",
                  ExpressionAttributeValues={":k": {"S": "x"}})
    return {"written": True}
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    root = tmp_path_factory.mktemp("iam")
    _write(root / "template.yaml", TEMPLATE)
    _write(root / "fn" / "peek" / "app.py", PEEK_APP)
    _write(root / "fn" / "write" / "app.py", WRITE_APP)
    nobody = Directory(list_users=list, get_user=lambda _user_id: None)
    with LocalStack(template_path=root / "template.yaml", org_file=None, directory=lambda: nobody) as local:
        local.ddb.put_item(TableName="Things", Item={"PK": {"S": "a"}})  # outside an invocation: not checked
        yield local


def invoke(name: str, event: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    answer = boto3.client("lambda", region_name="us-east-1").invoke(
        FunctionName=name, Payload=json.dumps(event).encode()
    )
    return answer.get("FunctionError"), json.loads(answer["Payload"].read())


def refused(payload: dict[str, Any], action: str, resource: str) -> bool:
    message = str(payload.get("errorMessage", ""))
    return "AccessDeniedException" in message and f"{action} on resource: {resource}" in message


PARTITION = "aws"  # never literal in an ARN (tests/unit/test_partition_free.py)
TABLE = f"arn:{PARTITION}:dynamodb:us-east-1:123456789012:table/Things"


def test_a_sam_policy_template_allows_its_reads_and_nothing_else(stack: LocalStack) -> None:
    assert invoke("PeekFunction", {}) == (None, {"found": True})
    error, payload = invoke("PeekFunction", {"write": True})
    assert error is not None and refused(payload, "dynamodb:PutItem", TABLE), payload
    assert "Item" not in stack.ddb.get_item(TableName="Things", Key={"PK": {"S": "peeked"}})


def test_a_transaction_needs_every_items_action_and_an_index_its_own_grant(stack: LocalStack) -> None:
    assert invoke("WriteFunction", {}) == (None, {"written": True})
    error, payload = invoke("WriteFunction", {"delete": True})
    assert error is not None and refused(payload, "dynamodb:DeleteItem", TABLE), payload
    assert "Item" in stack.ddb.get_item(TableName="Things", Key={"PK": {"S": "a"}})  # the transaction did nothing
    error, payload = invoke("WriteFunction", {"query": True})
    assert error is not None and refused(payload, "dynamodb:Query", f"{TABLE}/index/GSI1"), payload
