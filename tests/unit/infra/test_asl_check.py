"""The state machines pass an independent ASL validator in both partitions, and the check bites.

infra/checks/asl.py fills each definition's substitutions as CloudFormation would, for aws and
aws-cn, and runs asl-validator (node_modules, `make asl-check`) on the result.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from infra.checks import asl

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  StepFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Runtime: python3.13
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: flow.asl.json
      DefinitionSubstitutions:
        Partition: !Ref AWS::Partition
        StepFunctionArn: !GetAtt StepFunction.Arn
"""


def task(next_state: str | None = None, function: str = "${StepFunctionArn}") -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:${Partition}:states:::lambda:invoke",
        "Parameters": {"FunctionName": function, "Payload.$": "$"},
    }
    return {**state, "Next": next_state} if next_state else {**state, "End": True}


def mapped(item_state: str, next_state: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": item_state, "States": {item_state: task()}},
    }
    return {**state, "Next": next_state} if next_state else {**state, "End": True}


def write_flow(tmp_path: Path, states: dict[str, Any], start: str) -> Path:
    (tmp_path / "template.yaml").write_text(textwrap.dedent(TEMPLATE), encoding="utf-8")
    (tmp_path / "flow.asl.json").write_text(json.dumps({"StartAt": start, "States": states}), encoding="utf-8")
    return tmp_path / "template.yaml"


def test_every_state_machine_of_the_template_is_valid_in_the_global_and_the_china_partition() -> None:
    assert asl.problems() == []
    machines = {d.logical_id for d in asl.definitions(asl.TEMPLATE, "aws-cn", "cn-north-1")}
    assert machines == {"DocumentFlow", "MeetingFlow", "DeliveryFlow", "IncomingFlow", "CopiesFlow"}


def test_the_china_rendering_names_china_arns_and_endpoints() -> None:
    china = "aws-cn"
    rendered = {d.logical_id: d.text for d in asl.definitions(asl.TEMPLATE, china, "cn-north-1")}
    assert f'"arn:{china}:states:::lambda:invoke.waitForTaskToken"' in rendered["DocumentFlow"]
    assert f"arn:{china}:lambda:cn-north-1:" in rendered["MeetingFlow"]
    assert "https://sqs.cn-north-1.amazonaws.com.cn/" in rendered["DeliveryFlow"]


def test_a_well_formed_flow_passes(tmp_path: Path) -> None:
    template = write_flow(tmp_path, {"First": task("Second"), "Second": mapped("Each")}, "First")
    assert asl.problems(template) == []


def test_duplicate_state_names_inside_two_map_iterators_fail_the_check(tmp_path: Path) -> None:
    template = write_flow(tmp_path, {"Together": mapped("Item", "InTurn"), "InTurn": mapped("Item")}, "Together")
    found = asl.problems(template)
    assert len(found) == 1
    assert "DUPLICATE_STATE_NAMES" in found[0] and "Item" in found[0]


def test_a_placeholder_without_a_substitution_fails_the_check(tmp_path: Path) -> None:
    template = write_flow(tmp_path, {"Only": task(function="${MissingFunctionArn}")}, "Only")
    found = asl.problems(template)
    assert "Flow-aws-us-east-1: ${MissingFunctionArn} has no entry in DefinitionSubstitutions" in found
    assert "Flow-aws-cn-cn-north-1: ${MissingFunctionArn} has no entry in DefinitionSubstitutions" in found
    assert any("StepFunctionArn is not used" in problem for problem in found)


def test_a_hard_coded_partition_fails_the_china_rendering(tmp_path: Path) -> None:
    global_arn = "arn:" + "aws:"
    template = write_flow(tmp_path, {"Only": {**task(), "Resource": global_arn + "states:::lambda:invoke"}}, "Only")
    found = asl.problems(template)
    assert f"Flow-aws-cn-cn-north-1: names the aws partition ({global_arn}) in aws-cn" in found
    assert not [problem for problem in found if problem.startswith("Flow-aws-us-east-1: names")]


def test_a_missing_validator_is_a_problem_not_a_pass(tmp_path: Path) -> None:
    found = asl.validator_problems({"Flow": "{}"}, tmp_path / "asl-validator")
    assert found and "make asl-check" in found[0]
