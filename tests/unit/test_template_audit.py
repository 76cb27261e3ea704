"""安全审计 in template.yaml: the audit table is put-only for the functions, read by the audit reader alone,
kept (Retain, PITR, KMS), and its anchors are signed by a sign-only key into the Object Lock bucket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infra.local.template_yaml import load_yaml

DOCUMENT = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")
RESOURCES: dict[str, Any] = DOCUMENT["Resources"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}


def _statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in function["Properties"].get("Policies", []):
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            if isinstance(statement, dict) and "Action" in statement:
                found.append(statement)
    return found


def _on_audit_table(statement: dict[str, Any]) -> str | None:
    """'table', 'index/<name>' or None: what of the audit table a statement names."""
    text = json.dumps(statement.get("Resource"))
    if "AuditTable" not in text:
        return None
    return "index" if "/index/" in text else "table"


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_the_audit_table_is_kept_with_point_in_time_recovery_and_kms() -> None:
    table = RESOURCES["AuditTable"]
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")
    props = table["Properties"]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert props["DeletionProtectionEnabled"] is True
    assert "TimeToLiveSpecification" not in props, "nothing in the audit table expires"


def test_no_function_may_change_or_delete_an_audit_record() -> None:
    for name, function in FUNCTIONS.items():
        for statement in _statements(function):
            if _on_audit_table(statement) != "table":
                continue
            actions = _actions(statement)
            assert not actions & {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:Scan"}, name
            if "dynamodb:UpdateItem" in actions:
                # The one update: counters of refused attempts, by partition key COUNT#… only.
                assert actions == {"dynamodb:UpdateItem"}, name
                assert statement["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["COUNT#*"]}}


def test_every_function_that_writes_records_appends_to_the_audit_table() -> None:
    appending = {
        name
        for name, function in FUNCTIONS.items()
        for statement in _statements(function)
        if _on_audit_table(statement) == "table" and "dynamodb:PutItem" in _actions(statement)
    }
    assert appending == set(FUNCTIONS) - {"AuthorizerFunction"}


def test_only_the_audit_reader_reads_the_audit_table() -> None:
    readers: dict[str, set[str]] = {}
    for name, function in FUNCTIONS.items():
        for statement in _statements(function):
            where = _on_audit_table(statement)
            reads = _actions(statement) & {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"}
            if where and reads:
                resource = json.dumps(statement["Resource"])
                readers.setdefault(name, set()).update(f"{where}:{resource.count('GSI')}" for _ in reads)
    assert set(readers) == {"AuditFunction", "AuditAnchorFunction", "ArchiveFunction"}
    assert "table:0" in readers["AuditFunction"]
    # The anchor reads the day index (GSI1), the archive a document's own trail (GSI3): never the table.
    for name in ("AuditAnchorFunction", "ArchiveFunction"):
        assert readers[name] == {"index:1"}, readers


def test_the_anchor_signs_with_a_sign_only_key_into_the_object_lock_bucket() -> None:
    anchor = _statements(FUNCTIONS["AuditAnchorFunction"])
    kms = [s for s in anchor if any(a.startswith("kms:") for a in _actions(s))]
    assert [_actions(s) for s in kms] == [{"kms:Sign", "kms:GetPublicKey"}]
    assert kms[0]["Resource"] == {"Fn::GetAtt": ["AuditAnchorKey", "Arn"]}
    s3 = [s for s in anchor if any(a.startswith("s3:") for a in _actions(s))]
    assert [_actions(s) for s in s3] == [{"s3:PutObject"}]
    assert "audit-anchors/*" in json.dumps(s3[0]["Resource"])
    assert RESOURCES["ArchiveBucket"]["Properties"]["ObjectLockEnabled"] is True
    assert RESOURCES["AuditAnchorKey"]["Properties"]["KeyUsage"] == "SIGN_VERIFY"
