"""LocalStack runs a real OpenID Connect issuer on an origin of its own and points the template's issuer
parameter at it; serve() moves the stack (and the redirects the issuer allows), never the issuer.

A throwaway template (one function, the two SSM parameters, a Cognito client) and a fake directory:
this tests the wiring, not the core. The issuer itself is tested in tests/unit/infra/test_local_oidc_issuer.py,
sign-in and the API in both modes in tests/integration/identity/.
"""

from __future__ import annotations

import base64
import hashlib
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
import pytest
import requests

from infra.local.messages import Directory
from infra.local.oidc_issuer import jwt_claims
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
          AUTH_ISSUER_PARAMETER: /oa-test/auth/issuer
          AUTH_CLIENT_ID_PARAMETER: /oa-test/auth/client-id
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
  IssuerParameter:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /oa-test/auth/issuer
      Type: String
      Value: !Sub "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"
  ClientIdParameter:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /oa-test/auth/client-id
      Type: String
      Value: !Ref UserPoolClient
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
    root = tmp_path_factory.mktemp("identity")
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


def parameter(name: str) -> str:
    return str(boto3.client("ssm", region_name="us-east-1").get_parameter(Name=name)["Parameter"]["Value"])


def test_the_issuer_parameter_names_the_local_issuer_on_its_own_origin(stack: LocalStack) -> None:
    assert stack.issuer is not None and stack.issuer.mode == "cognito"
    origin = stack.issuer.origin
    assert origin.startswith("http://127.0.0.1:") and origin != stack.public_base_url
    assert parameter("/oa-test/auth/issuer") == f"{origin}/us-east-1_UserPool" == stack.issuer.issuer
    assert parameter("/oa-test/auth/client-id") == "UserPoolClient"
    guard = scaled(REQUEST_SECONDS)
    discovery = requests.get(f"{stack.issuer.issuer}/.well-known/openid-configuration", timeout=guard).json()
    assert discovery["issuer"] == stack.issuer.issuer
    assert requests.get(discovery["jwks_uri"], timeout=guard).json()["keys"][0]["kid"] == stack.issuer.key.kid


def test_code_flow_through_invoke_http_uses_the_templates_client(stack: LocalStack) -> None:
    assert stack.issuer is not None
    authorize = stack.issuer.url("authorize")
    query = authorize_query("http://127.0.0.1:3000")
    page = stack.invoke_http("GET", f"{authorize}?{urlencode(query)}")
    assert page.status == 200, page.text
    assert "艾丽丝" in page.text
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    chosen = stack.invoke_http("POST", authorize, body=urlencode({**query, "user_id": "alice"}), headers=form)
    assert chosen.status == 302
    code = parse_qs(urlsplit(chosen.headers["Location"]).query)["code"][0]
    fields = {
        "grant_type": "authorization_code",
        "client_id": "UserPoolClient",
        "code": code,
        "redirect_uri": query["redirect_uri"],
        "code_verifier": VERIFIER,
    }
    token = stack.invoke_http("POST", stack.issuer.url("token"), body=urlencode(fields), headers=form)
    assert token.status == 200, token.text
    claims = jwt_claims(token.json()["id_token"])
    assert claims["cognito:username"] == "alice"
    assert claims["iss"] == stack.issuer.issuer


def test_serve_on_a_free_port_moves_the_allowed_redirects_but_not_the_issuer(stack: LocalStack) -> None:
    assert stack.issuer is not None
    issuer = stack.issuer.issuer
    stack.serve(0)
    assert stack.url is not None and stack.url != "http://127.0.0.1:3000"
    assert os.environ["PUBLIC_BASE_URL"] == stack.url
    assert stack.issuer.issuer == issuer == parameter("/oa-test/auth/issuer")
    authorize = stack.issuer.url("authorize")
    guard = scaled(REQUEST_SECONDS)
    assert requests.get(authorize, params=authorize_query(stack.url), timeout=guard).status_code == 200
    assert requests.get(authorize, params=authorize_query("http://127.0.0.1:3000"), timeout=guard).status_code == 400
    logout = requests.get(
        stack.issuer.url("logout"),
        params={"client_id": "UserPoolClient", "logout_uri": f"{stack.url}/login"},
        allow_redirects=False,
        timeout=guard,
    )
    assert (logout.status_code, logout.headers["Location"]) == (302, f"{stack.url}/login")


def test_client_id_comes_from_the_ssm_parameter_the_environment_names(stack: LocalStack) -> None:
    assert stack.issuer is not None
    boto3.client("ssm", region_name="us-east-1").put_parameter(
        Name="/oa-test/auth/client-id", Value="client-from-ssm", Type="String", Overwrite=True
    )
    base = os.environ["PUBLIC_BASE_URL"]
    authorize = stack.issuer.url("authorize")
    query = {**authorize_query(base), "client_id": "client-from-ssm"}
    assert stack.invoke_http("GET", f"{authorize}?{urlencode(query)}").status == 200
    query["client_id"] = "UserPoolClient"
    assert stack.invoke_http("GET", f"{authorize}?{urlencode(query)}").status == 400
