"""The local stack's IAM check sees a DynamoDB request as IAM does, and allows only what a policy says."""

from __future__ import annotations

from pathlib import Path

import pytest
from moto.core.exceptions import JsonRESTError

from infra.local import iam
from infra.local.template import Template

PARTITION, REGION, ACCOUNT = "aws", "us-east-1", "123456789012"
TABLE = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/RecordsTable"
REPO_TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"


def test_a_transaction_needs_each_item_action_on_each_items_table() -> None:
    params = {
        "TransactItems": [
            {"ConditionCheck": {"TableName": "RecordsTable"}},
            {"Put": {"TableName": "RecordsTable"}},
            {"Update": {"TableName": "BookingsTable"}},
            {"Delete": {"TableName": "BookingsTable"}},
        ]
    }
    assert iam.requested("TransactWriteItems", params, REGION, ACCOUNT) == [
        ("dynamodb:ConditionCheckItem", TABLE),
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:UpdateItem", TABLE.replace("RecordsTable", "BookingsTable")),
        ("dynamodb:DeleteItem", TABLE.replace("RecordsTable", "BookingsTable")),
    ]


def test_an_index_query_is_an_action_on_the_index_and_a_batch_on_each_table() -> None:
    assert iam.requested("Query", {"TableName": "RecordsTable", "IndexName": "GSI2"}, REGION, ACCOUNT) == [
        ("dynamodb:Query", f"{TABLE}/index/GSI2")
    ]
    assert iam.requested("BatchGetItem", {"RequestItems": {"RecordsTable": {}}}, REGION, ACCOUNT) == [
        ("dynamodb:BatchGetItem", TABLE)
    ]


def test_a_policy_allows_what_a_statement_matches_and_an_explicit_deny_wins() -> None:
    policy = iam.Policy(
        "Fn",
        (
            iam.Statement("Read", "Allow", ("dynamodb:GetItem", "dynamodb:Query"), (TABLE, f"{TABLE}/index/*")),
            iam.Statement("NoIndex2", "Deny", ("dynamodb:*",), (f"{TABLE}/index/GSI2",)),
        ),
    )
    assert policy.allows("dynamodb:getitem", TABLE)  # action names are case-insensitive
    assert policy.allows("dynamodb:Query", f"{TABLE}/index/GSI1")
    assert not policy.allows("dynamodb:Query", f"{TABLE}/index/GSI2")
    assert not policy.allows("dynamodb:Scan", TABLE)


def test_a_request_outside_the_acting_functions_policy_is_refused_as_dynamodb_refuses_it() -> None:
    policy = iam.Policy("Fn", (iam.Statement("Read", "Allow", ("dynamodb:GetItem",), (TABLE,)),))
    iam.check("Scan", {"TableName": "RecordsTable"}, REGION, ACCOUNT)  # no function acting: not checked
    with iam.acting_as(policy):
        iam.check("GetItem", {"TableName": "RecordsTable"}, REGION, ACCOUNT)
        with pytest.raises(JsonRESTError) as refused:
            iam.check("Scan", {"TableName": "RecordsTable"}, REGION, ACCOUNT)
    assert refused.value.error_type == "AccessDeniedException"
    assert f"dynamodb:Scan on resource: {TABLE}" in refused.value.message


def test_the_repository_functions_policies_are_read_from_the_template() -> None:
    template = Template.from_file(REPO_TEMPLATE)
    reminders = iam.policy_of(template, "RemindersFunction")
    assert reminders.allows("dynamodb:Query", f"{TABLE}/index/GSI2")
    assert not reminders.allows("dynamodb:Query", f"{TABLE}/index/GSI1")
    assert not reminders.allows("dynamodb:DeleteItem", TABLE)
    api = iam.policy_of(template, "ApiFunction")
    assert api.allows("dynamodb:DeleteItem", TABLE) and not api.allows("dynamodb:Scan", TABLE)
