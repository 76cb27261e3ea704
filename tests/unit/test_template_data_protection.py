"""数据备份恢复 and 数据保密性 in the template (docs/security.md): every table keeps point-in-time
recovery, deletion protection and encryption at rest and outlives the stack; every bucket is private,
versioned and refuses requests that are not over TLS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.local.template import load_yaml

ROOT = Path(__file__).resolve().parents[2]
RESOURCES: dict[str, Any] = load_yaml(ROOT / "template.yaml")["Resources"]


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in RESOURCES.items() if res["Type"] == kind}


def test_every_table_recovers_to_a_point_in_time_and_survives_deletion() -> None:
    tables = of_type("AWS::DynamoDB::Table")
    assert tables
    for name, table in tables.items():
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert props["DeletionProtectionEnabled"] is True, name
        assert props["SSESpecification"]["SSEEnabled"] is True, name
        assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain", name


def test_every_bucket_is_private_versioned_and_refuses_plain_http() -> None:
    buckets = of_type("AWS::S3::Bucket")
    policies = {p["Properties"]["Bucket"]["Ref"]: p["Properties"] for p in of_type("AWS::S3::BucketPolicy").values()}
    assert buckets
    for name, bucket in buckets.items():
        props = bucket["Properties"]
        assert set(props["PublicAccessBlockConfiguration"].values()) == {True}, name
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}, name
        statements = policies[name]["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
        ), name
