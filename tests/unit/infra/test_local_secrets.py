"""The local stack's secrets follow the template, and OA_LOCAL_SECRET_<LogicalId> sets one (CONTRACT.md)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from infra.local.provision import _create_secrets
from infra.local.template import Template, load_yaml

TEMPLATE = """
Resources:
  WebhookKey:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: oa-local/webhook
      GenerateSecretString:
        PasswordLength: 48
  ClientSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: oa-local/oidc-client
"""


def _secrets(tmp_path: Path) -> dict[str, str | None]:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE), encoding="utf-8")
    template = Template(load_yaml(path), base_dir=tmp_path, region="us-east-1")
    with mock_aws():
        _create_secrets(template, "us-east-1")
        client = boto3.client("secretsmanager", region_name="us-east-1")
        values: dict[str, str | None] = {}
        for name in ("oa-local/webhook", "oa-local/oidc-client"):
            try:
                values[name] = client.get_secret_value(SecretId=name)["SecretString"]
            except client.exceptions.ResourceNotFoundException:
                values[name] = None  # created without a value, as CloudFormation does
        return values


def test_a_generated_secret_is_random_and_a_secret_without_value_stays_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OA_LOCAL_SECRET_WebhookKey", raising=False)
    monkeypatch.delenv("OA_LOCAL_SECRET_ClientSecret", raising=False)
    values = _secrets(tmp_path)
    assert len(values["oa-local/webhook"] or "") == 48
    assert values["oa-local/oidc-client"] is None


def test_the_environment_sets_a_secret_by_its_logical_id_so_two_stacks_share_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OA_LOCAL_SECRET_WebhookKey", "shared-hmac-key")
    monkeypatch.setenv("OA_LOCAL_SECRET_ClientSecret", "client-secret")
    first, second = _secrets(tmp_path), _secrets(tmp_path)
    assert first == second == {"oa-local/webhook": "shared-hmac-key", "oa-local/oidc-client": "client-secret"}
