"""The local stack builds moto from template.yaml and runs real handlers in-process: throwaway functions
and ASL in a temporary directory test the infrastructure (provisioning, Lambda dispatch, fault injection,
the API Gateway stand-in) apart from the core's handlers."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.oidc_issuer import jwt_claims
from infra.local.polling import REQUEST_SECONDS, scaled, wait_for
from infra.local.stack import LocalStack
from infra.local.template import LOCAL_PARTITION
from tests.integration.infra.throwaway import USERS, fake_directory, write

pytestmark = pytest.mark.integration


def wait_for_execution(stack: LocalStack, execution_arn: str) -> dict[str, Any]:
    """The execution once it has ended (succeeded, failed…)."""
    last: dict[str, Any] = {}

    def ended() -> dict[str, Any] | None:
        last.update(stack.sfn.describe_execution(executionArn=execution_arn))
        return dict(last) if last["status"] != "RUNNING" else None

    def saw() -> str:
        return f"{last.get('status')}; events {[e['type'] for e in history(stack, execution_arn)]}"

    return dict(wait_for(ended, f"{execution_arn} to end", saw=saw))


def history(stack: LocalStack, execution_arn: str) -> list[dict[str, Any]]:
    events = stack.sfn.get_execution_history(executionArn=execution_arn)["events"]
    return [dict(event) for event in events]


# ---------------------------------------------------------------- a throwaway template

TINY_TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
Globals:
  Function:
    Runtime: python3.13
    Handler: app.handler
    Timeout: 10
    Environment:
      Variables:
        THINGS_TABLE: !Ref Things
        GREETING: !Ref Greeting
Resources:
  Things:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/echo/
      Events:
        Echo:
          Type: Api
          Properties:
            Path: /echo/{name}
            Method: ANY
  WaitFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/wait/
      Policies: [{Statement: [{Effect: Allow, Action: dynamodb:PutItem, Resource: !GetAtt Things.Arn}]}]
  FailFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/fail/
  # A python layer with a package of its own, one with a requirements file only, and functions that
  # carry both, one, or neither and import the package (which imports yaml).
  Lib:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/lib/
    Metadata:
      BuildMethod: python3.13
  Yaml:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/yaml/
    Metadata:
      BuildMethod: python3.13
  BothLayersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/imports/
      Layers: [!Ref Lib, !Ref Yaml]
  LibOnlyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/imports/
      Layers: [!Ref Lib]
  NoLayerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/imports/
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: flow.asl.json
      DefinitionSubstitutions:
        Partition: !Ref AWS::Partition
        EchoArn: !GetAtt EchoFunction.Arn
        WaitArn: !GetAtt WaitFunction.Arn
        FailArn: !GetAtt FailFunction.Arn
"""

ECHO_APP = """
import os

def handler(event, context):
    if "httpMethod" in event:
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "multiValueHeaders": {"X-Seen": ["a", "b"]},
            "body": __import__("json").dumps({"event": event, "fn": context.function_name}),
        }
    return {"echo": event, "greeting": os.environ["GREETING"], "fn": context.function_name}
"""

WAIT_APP = """
import os
import boto3

def handler(event, context):
    boto3.client("dynamodb").put_item(
        TableName=os.environ["THINGS_TABLE"],
        Item={"PK": {"S": "token"}, "token": {"S": event["token"]}},
    )
    return {"recorded": True}
"""

FAIL_APP = """
class Boom(Exception):
    pass

def handler(event, context):
    raise Boom("the step failed on purpose")
"""

TINY_LIB = """
def dump(value):
    import yaml

    return yaml.safe_dump(value)
"""

IMPORTS_APP = """
def handler(event, context):
    import tinylib

    return {"dumped": tinylib.dump({"a": 1})}
"""

FLOW = {
    "StartAt": "Echo",
    "States": {
        "Echo": {
            "Type": "Task",
            "Resource": "arn:${Partition}:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${EchoArn}", "Payload.$": "$"},
            "ResultSelector": {"echo.$": "$.Payload"},
            "ResultPath": "$.echoed",
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.TooManyRequestsException"],
                    "IntervalSeconds": 1,
                    "BackoffRate": 1,
                    "MaxAttempts": 3,
                }
            ],
            "Next": "Wait",
        },
        "Wait": {
            "Type": "Task",
            "Resource": "arn:${Partition}:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "${WaitArn}", "Payload": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.decision",
            "Next": "Fail",
        },
        "Fail": {
            "Type": "Task",
            "Resource": "arn:${Partition}:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${FailArn}"},
            "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.caught", "Next": "Caught"}],
            "End": True,
        },
        "Caught": {"Type": "Pass", "End": True},
    },
}


@pytest.fixture(scope="class")
def tiny_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    root = tmp_path_factory.mktemp("tiny")
    write(root / "template.yaml", TINY_TEMPLATE)
    write(root / "fn" / "echo" / "app.py", ECHO_APP)
    write(root / "fn" / "wait" / "app.py", WAIT_APP)
    write(root / "fn" / "fail" / "app.py", FAIL_APP)
    write(root / "fn" / "imports" / "app.py", IMPORTS_APP)
    write(root / "layers" / "lib" / "tinylib" / "__init__.py", TINY_LIB)
    write(root / "layers" / "yaml" / "requirements.txt", "PyYAML==6.0.4\n")
    write(root / "flow.asl.json", json.dumps(FLOW))
    with LocalStack(
        template_path=root / "template.yaml",
        org_file=None,
        directory=fake_directory,
        parameter_overrides={"Greeting": "你好"},
    ) as stack:
        yield stack


class TestTinyTemplate:
    def test_flow_runs_real_handlers_with_retry_callback_and_catch(self, tiny_stack: LocalStack) -> None:
        tiny_stack.inject_invoke_faults("EchoFunction", 2)
        started = tiny_stack.sfn.start_execution(
            stateMachineArn=tiny_stack.state_machine_arn, input=json.dumps({"n": 1})
        )
        arn = started["executionArn"]

        # The callback task's handler recorded its token in the template's table.
        item = wait_for(
            lambda: tiny_stack.ddb.get_item(TableName="Things", Key={"PK": {"S": "token"}}).get("Item"),
            "the waitForTaskToken handler to record its token",
            saw=lambda: [e["type"] for e in history(tiny_stack, arn)],
        )
        tiny_stack.sfn.send_task_success(taskToken=item["token"]["S"], output=json.dumps({"decision": "approve"}))

        described = wait_for_execution(tiny_stack, arn)
        assert described["status"] == "SUCCEEDED", described
        output = json.loads(described["output"])
        assert output["echoed"]["echo"] == {
            "echo": {"n": 1},
            "greeting": "你好",
            "fn": "EchoFunction",
        }
        assert output["decision"] == {"decision": "approve"}
        assert output["caught"]["Error"] == "Boom"
        assert "failed on purpose" in output["caught"]["Cause"]

        failures = [
            event["taskFailedEventDetails"]["error"]
            for event in history(tiny_stack, arn)
            if event["type"] == "TaskFailed"
        ]
        assert failures.count("Lambda.TooManyRequestsException") == 2

    def test_unretried_service_fault_fails_the_task(self, tiny_stack: LocalStack) -> None:
        tiny_stack.inject_invoke_faults("FailFunction", 1, "ServiceException")
        sfn = tiny_stack.sfn
        machine = sfn.create_state_machine(
            name="OnlyFail",
            roleArn=f"arn:{LOCAL_PARTITION}:iam::123456789012:role/oa-local-execution-role",
            definition=json.dumps(
                {
                    "StartAt": "Fail",
                    "States": {
                        "Fail": {
                            "Type": "Task",
                            "Resource": f"arn:{LOCAL_PARTITION}:states:::lambda:invoke",
                            "Parameters": {"FunctionName": "FailFunction"},
                            "End": True,
                        }
                    },
                }
            ),
        )
        started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])
        described = wait_for_execution(tiny_stack, started["executionArn"])
        assert described["status"] == "FAILED"
        assert described["error"] == "Lambda.ServiceException"

    def test_a_function_imports_only_what_its_layers_carry(self, tiny_stack: LocalStack) -> None:
        import boto3

        lam = boto3.client("lambda", region_name="us-east-1")

        def invoke(name: str) -> tuple[str | None, dict[str, Any]]:
            answer = lam.invoke(FunctionName=name, Payload=b"{}")
            return answer.get("FunctionError"), json.loads(answer["Payload"].read())

        assert invoke("BothLayersFunction") == (None, {"dumped": "a: 1\n"})
        # yaml is loaded in this process (the template reader uses it): refused all the same.
        error, payload = invoke("LibOnlyFunction")
        assert error is not None  # a function error (moto says "Handled"), not one of the service
        assert payload["errorType"] == "ModuleNotFoundError"
        assert payload["errorMessage"].startswith("No module named 'yaml' (local stack: no layer of LibOnlyFunction")
        error, payload = invoke("NoLayerFunction")
        assert payload["errorMessage"].startswith("No module named 'tinylib'")
        # Outside an invocation nothing is checked.
        import tinylib  # type: ignore[import-not-found]

        assert tinylib.dump({"b": 2}) == "b: 2\n"

    def test_http_front_builds_rest_proxy_events(self, tiny_stack: LocalStack) -> None:
        response = tiny_stack.invoke_http(
            "POST", "/echo/%E5%BC%A0?x=1&x=2&y=3", body={"a": "中文"}, headers={"X-Trace": "t"}
        )
        assert response.status == 200
        assert response.headers.getlist("X-Seen") == ["a", "b"]
        event = response.json()["event"]
        assert event["resource"] == "/echo/{name}"
        assert event["pathParameters"] == {"name": "张"}
        assert event["httpMethod"] == "POST"
        assert event["queryStringParameters"] == {"x": "2", "y": "3"}
        assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "y": ["3"]}
        assert event["headers"]["X-Trace"] == "t"
        assert event["requestContext"]["resourcePath"] == "/echo/{name}"
        assert "authorizer" not in event["requestContext"]
        assert json.loads(event["body"]) == {"a": "中文"}
        assert event["isBase64Encoded"] is False

    def test_local_login_and_real_socket(self, tiny_stack: LocalStack) -> None:
        assert tiny_stack.invoke_http("POST", "/_local/login", body={"user_id": "nobody"}).status == 404
        login = tiny_stack.invoke_http("POST", "/_local/login", body={"user_id": "alice"})
        assert (login.status, login.json()["user_id"], login.headers.get("Set-Cookie")) == (200, "alice", None)
        header = jwt_claims(f"x.{login.json()['token'].split('.')[0]}.x")  # the issuer's signed ID token
        assert tiny_stack.issuer is not None and (header["alg"], header["kid"]) == ("RS256", tiny_stack.issuer.key.kid)
        form_typed = {"Content-Type": "application/x-www-form-urlencoded"}  # what `curl -d '{...}'` sends
        assert (
            tiny_stack.invoke_http("POST", "/_local/login", body='{"user_id": "alice"}', headers=form_typed).status
            == 200
        )
        assert tiny_stack.invoke_http("POST", "/_local/login", body="user_id=alice", headers=form_typed).status == 200

        tiny_stack.serve(0)
        assert tiny_stack.url is not None
        with urllib.request.urlopen(f"{tiny_stack.url}/_local/users", timeout=scaled(REQUEST_SECONDS)) as reply:
            assert json.load(reply) == list(USERS.values())
        with urllib.request.urlopen(f"{tiny_stack.url}/echo/bob", timeout=scaled(REQUEST_SECONDS)) as reply:
            assert json.load(reply)["event"]["pathParameters"] == {"name": "bob"}
