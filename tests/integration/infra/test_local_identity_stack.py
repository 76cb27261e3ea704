"""LocalStack points AUTH_BASE_URL at the gateway's Cognito stand-in, also after serve() picks a port.

A throwaway template (one function, one user pool) and a fake directory: this tests the wiring,
not the core. The flow itself is tested in tests/unit/infra/test_local_cognito.py.
"""

from __future__ import annotations

import base64
import hashlib
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from infra.local.cognito import jwt_claims
from infra.local.messages import Directory
from infra.local.polling import REQUEST_SECONDS, scaled
from infra.local.stack import LocalStack

pytestmark = pytest.mark.integration

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/hello/
      Handler: app.handler
      Runtime: python3.13
      Environment:
        Variables:
          AUTH_CLIENT_ID: !Ref UserPoolClient
          AUTH_BASE_URL: https://example.auth.us-east-1.amazoncognito.com
      Events:
        Hello:
          Type: Api
          Properties:
            Path: /hello
            Method: GET
  UserPool:
    Type: AWS::Cognito::UserPool
  UserPoolClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref UserPool
"""

USERS = {
    "alice": {
        "user_id": "alice",
        "name": "艾丽丝",
        "email": "alice@example.gov.cn",
        "department": "bgs",
        "roles": ["drafter"],
    }
}

VERIFIER = "v" * 43
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def fake_directory() -> Directory:
    return Directory(list_users=lambda: list(USERS.values()), get_user=USERS.get)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    root = tmp_path_factory.mktemp("cognito")
    (root / "template.yaml").write_text(textwrap.dedent(TEMPLATE).lstrip(), encoding="utf-8")
    app = root / "fn" / "hello" / "app.py"
    app.parent.mkdir(parents=True)
    app.write_text("def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", encoding="utf-8")
    with LocalStack(template_path=Path(root / "template.yaml"), org_file=None, directory=fake_directory) as running:
        yield running


def authorize_query(base_url: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": "UserPoolClient",
        "redirect_uri": f"{base_url}/auth/callback",
        "state": "s1",
        "scope": "openid email profile",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }


def test_auth_base_url_is_the_local_stand_in_not_the_templates_domain(stack: LocalStack) -> None:
    assert stack.env["AUTH_CLIENT_ID"] == "UserPoolClient"
    assert stack.env["AUTH_BASE_URL"] == "http://127.0.0.1:3000/_local/cognito"
    assert os.environ["AUTH_BASE_URL"] == "http://127.0.0.1:3000/_local/cognito"


def test_code_flow_through_invoke_http_uses_the_templates_client_and_user_pool(stack: LocalStack) -> None:
    query = authorize_query("http://127.0.0.1:3000")
    page = stack.invoke_http("GET", f"/_local/cognito/oauth2/authorize?{urlencode(query)}")
    assert page.status == 200, page.text
    assert "艾丽丝" in page.text
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    chosen = stack.invoke_http(
        "POST", "/_local/cognito/oauth2/authorize", body=urlencode({**query, "user_id": "alice"}), headers=form
    )
    assert chosen.status == 302
    code = parse_qs(urlsplit(chosen.headers["Location"]).query)["code"][0]
    token = stack.invoke_http(
        "POST",
        "/_local/cognito/oauth2/token",
        body=urlencode(
            {
                "grant_type": "authorization_code",
                "client_id": "UserPoolClient",
                "code": code,
                "redirect_uri": query["redirect_uri"],
                "code_verifier": VERIFIER,
            }
        ),
        headers=form,
    )
    assert token.status == 200, token.text
    claims = jwt_claims(token.json()["id_token"])
    assert claims["cognito:username"] == "alice"
    assert claims["iss"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_UserPool"


def test_serve_on_a_free_port_moves_auth_base_url_and_the_allowed_redirects(stack: LocalStack) -> None:
    stack.serve(0)
    assert stack.url is not None and stack.url != "http://127.0.0.1:3000"
    assert os.environ["AUTH_BASE_URL"] == f"{stack.url}/_local/cognito"
    authorize = f"{os.environ['AUTH_BASE_URL']}/oauth2/authorize"
    guard = scaled(REQUEST_SECONDS)
    assert requests.get(authorize, params=authorize_query(stack.url), timeout=guard).status_code == 200
    assert requests.get(authorize, params=authorize_query("http://127.0.0.1:3000"), timeout=guard).status_code == 400
    logout = requests.get(
        f"{os.environ['AUTH_BASE_URL']}/logout",
        params={"client_id": "UserPoolClient", "logout_uri": f"{stack.url}/login"},
        allow_redirects=False,
        timeout=guard,
    )
    assert (logout.status_code, logout.headers["Location"]) == (302, f"{stack.url}/login")


def test_client_id_comes_from_the_ssm_parameter_when_the_environment_names_one(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    boto3.client("ssm", region_name="us-east-1").put_parameter(
        Name="/oa-test/auth/client-id", Value="client-from-ssm", Type="String", Overwrite=True
    )
    monkeypatch.delenv("AUTH_CLIENT_ID")
    monkeypatch.setenv("AUTH_CLIENT_ID_PARAMETER", "/oa-test/auth/client-id")
    base = os.environ["PUBLIC_BASE_URL"]
    query = {**authorize_query(base), "client_id": "client-from-ssm"}
    assert stack.invoke_http("GET", f"/_local/cognito/oauth2/authorize?{urlencode(query)}").status == 200
    query["client_id"] = "UserPoolClient"
    assert stack.invoke_http("GET", f"/_local/cognito/oauth2/authorize?{urlencode(query)}").status == 400
