"""The local gateway reads an authorizer's policy as IAM does, and answers a refusal with the API's
gateway response (infra.local.authorizers)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from infra.local.authorizers import allows, answer
from infra.local.routes import Authorizer, GatewayResponse
from infra.local.template import load_yaml

AWS, CN = "aws", "aws-cn"  # partitions (never literal in an ARN: tests/unit/test_partition_free.py)

METHOD = f"arn:{AWS}:execute-api:us-east-1:123456789012:local/prod/GET/api/tasks"


def policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(resource: str | list[str], action: str = "execute-api:Invoke", effect: str = "Allow") -> dict[str, object]:
    return {"Effect": effect, "Action": action, "Resource": resource}


def test_an_allow_on_the_stage_covers_every_method_and_path() -> None:
    stage = f"arn:{AWS}:execute-api:us-east-1:123456789012:local/prod/*"
    assert allows(policy(allow(stage)), METHOD)
    assert allows(policy(allow(stage)), METHOD.replace("GET/api/tasks", "POST/api/documents/x/revision"))
    assert allows(policy(allow([METHOD], action="execute-api:*")), METHOD)


def test_a_policy_for_one_method_does_not_cover_another() -> None:
    assert not allows(policy(allow(METHOD)), METHOD.replace("GET", "POST"))


def test_an_explicit_deny_wins_and_nothing_allowed_is_denied() -> None:
    stage = f"arn:{AWS}:execute-api:us-east-1:123456789012:local/prod/*"
    assert not allows(policy(allow(stage), allow(METHOD, effect="Deny")), METHOD)
    assert not allows(policy(), METHOD)
    assert not allows(policy(allow(stage, action="s3:GetObject")), METHOD)


def test_refusals_answer_with_the_apis_gateway_responses() -> None:
    authorizer = Authorizer(
        name="IdTokenAuthorizer",
        function_name="AuthorizerFunction",
        payload_type="TOKEN",
        identity_header="Authorization",
        ttl_seconds=300,
        responses={
            "UNAUTHORIZED": GatewayResponse(
                401, '{"error": {"code": "unauthorized", "message": "请先登录"}}', (("WWW-Authenticate", "Bearer"),)
            ),
        },
    )
    unauthorized = answer(authorizer, "UNAUTHORIZED")
    assert unauthorized.status == 401 and unauthorized.json()["error"]["message"] == "请先登录"
    assert unauthorized.headers["WWW-Authenticate"] == "Bearer"
    # A type the template does not shape: the contract's error shape, API Gateway's status.
    denied = answer(authorizer, "ACCESS_DENIED")
    assert denied.status == 403 and denied.json()["error"]["code"] == "forbidden"
    assert answer(None, "AUTHORIZER_CONFIGURATION_ERROR").status == 500


def test_every_refusal_people_read_is_chinese_only_in_the_template_and_locally() -> None:
    """API Gateway's own refusals (template.yaml GatewayResponses) and the local fallbacks speak Chinese only."""
    template = load_yaml(Path(__file__).resolve().parents[3] / "template.yaml")
    responses = template["Resources"]["OaApi"]["Properties"]["GatewayResponses"]
    messages = {
        kind: json.loads(response["ResponseTemplates"]["application/json"])["error"]["message"]
        for kind, response in responses.items()
    }
    messages |= {f"local {kind}": answer(None, kind).json()["error"]["message"] for kind in messages}
    assert set(responses) >= {"UNAUTHORIZED", "ACCESS_DENIED", "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR"}
    for kind, message in messages.items():
        assert re.search(r"[\u4e00-\u9fff]", message) and not re.search(r"[A-Za-z]{3,}", message), (kind, message)
