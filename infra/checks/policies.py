"""Least privilege, checked: every IAM statement of the template, before and after the SAM transform.

A missing permission shows only on AWS (the local stack checks DynamoDB, infra/local/iam.py), but an
excessive one shows nowhere, so the rules are judged on the template itself (tests/unit/
test_template_policies.py). ``statements`` finds every statement: the ``Policies`` of SAM functions and
state machines (SAM policy templates expanded as SAM expands them), IAM roles and policies, and the
resource policies of keys, buckets, queues and topics; an ``Fn::If`` gives one statement per branch,
each knowing the conditions it sits under. ``violations`` then says what breaks a rule:

- no ``dynamodb:Scan`` (nor an action pattern that covers it), ever;
- no ``*`` in an action and, in an identity policy, no ``Resource: "*"`` (nor ``NotAction`` or
  ``NotResource``), except in a statement whose Sid is in `STAR_ALLOWED`, each with its reason;
- managed policies only from `MANAGED_ALLOWED`, each with its reason;
- SES and X-Ray statements only under the condition that says they are used (`SERVICE_CONDITIONS`):
  neither service is offered, or wanted, everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

STAR_ALLOWED: Mapping[str, str] = {
    "DecideHumanTasks": (
        "states:SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat act on a task token, which IAM cannot "
        "scope (their only resource type is an activity); single use and the decider's identity are enforced "
        "by our own records"
    ),
    "DeliverExecutionLogs": (
        "the CloudWatch Logs log-delivery actions that Step Functions' execution logging needs support no "
        "resource-level permissions: AWS documents * as their only resource"
    ),
    "SendTraces": (
        "X-Ray's PutTraceSegments, PutTelemetryRecords and sampling actions support no resource-level permissions"
    ),
    "AccountAdministersTheKey": (
        "a KMS key policy's statement for the account root, kms:* on the key itself (in a key policy * is "
        "that key): without it IAM policies cannot govern the key and the key becomes unmanageable"
    ),
    "AlarmsPublishToTheTopic": (
        "a KMS key policy's statement: * is the key itself; CloudWatch may only decrypt and generate data "
        "keys, for alarms of this account"
    ),
}
"""Sids of statements that may have ``*`` in an action or as the resource, and why."""

MANAGED_ALLOWED: Mapping[str, str] = {
    "service-role/AWSLambdaBasicExecutionRole": "SAM's for every function: its own CloudWatch log streams",
    "AWSXrayWriteOnlyAccess": (
        "SAM's for a function with Tracing (aws partition): writing traces only. SAM attaches it whenever "
        "Tracing is not the literal Disabled, so also where HasXRay is false (PassThrough)"
    ),
    "AWSXRayDaemonWriteAccess": "the same as AWSXrayWriteOnlyAccess, under its name in aws-cn",
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs": (
        "API Gateway's account-level role for access logs (ApiGatewayCloudWatchRole)"
    ),
}
"""AWS managed policies a role may carry (by name after ``arn:<partition>:iam::aws:policy/``), and why."""

SERVICE_CONDITIONS: Mapping[str, str] = {"ses": "UseSes", "xray": "HasXRay"}
"""An action of these services only in a statement under this condition (its true branch)."""

_RESOURCE_POLICIES = {
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
    "AWS::SecretsManager::ResourcePolicy": "ResourcePolicy",
}


Under = tuple[tuple[str, bool], ...]
"""The conditions a value holds under: (condition name, which branch of its Fn::If)."""


@dataclass(frozen=True)
class Found:
    """One statement, where it is, and the conditions (name, branch) it holds under."""

    where: str
    statement: Mapping[str, Any]
    identity: bool
    """An identity policy (a role's); else a resource policy (a key's, a bucket's...)."""
    conditions: Under = ()

    @property
    def sid(self) -> str:
        return str(self.statement.get("Sid", ""))

    @property
    def actions(self) -> list[str]:
        return _strings(self.statement.get("Action"))

    @property
    def resources(self) -> list[Any]:
        raw = self.statement.get("Resource")
        return raw if isinstance(raw, list) else [raw]


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def branches(value: Any, under: Under = ()) -> Iterator[tuple[Any, Under]]:
    """Each value ``value`` may take through its ``Fn::If``s, with the conditions that choose it.

    ``{"Ref": "AWS::NoValue"}`` yields nothing (the value disappears)."""
    if isinstance(value, Mapping) and set(value) == {"Fn::If"}:
        condition, when_true, when_false = value["Fn::If"]
        yield from branches(when_true, (*under, (str(condition), True)))
        yield from branches(when_false, (*under, (str(condition), False)))
        return
    if value == {"Ref": "AWS::NoValue"}:
        return
    yield value, under


def _document_statements(where: str, document: Any, identity: bool, under: Under) -> Iterator[Found]:
    for doc, doc_under in branches(document, under):
        if not isinstance(doc, Mapping):
            continue
        raw = doc.get("Statement", [])
        for entry in raw if isinstance(raw, list) else [raw]:
            for statement, statement_under in branches(entry, doc_under):
                if isinstance(statement, Mapping):
                    yield Found(where, statement, identity, statement_under)


@cache
def _policy_templates() -> Any:
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

    return PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())


def _sam_policies(where: str, policies: Any, under: Under) -> Iterator[Found | str]:
    """A SAM resource's ``Policies``: statements, expanded policy templates, and managed policy names."""
    for entry in policies if isinstance(policies, list) else [policies]:
        for policy, policy_under in branches(entry, under):
            if isinstance(policy, str):
                yield policy
            elif isinstance(policy, Mapping) and "Statement" in policy:
                yield from _document_statements(where, policy, True, policy_under)
            elif isinstance(policy, Mapping) and len(policy) == 1:
                ((name, parameters),) = policy.items()
                expanded = _policy_templates().convert(name, parameters or {})
                yield from _document_statements(f"{where} ({name})", expanded, True, policy_under)


def statements(document: Mapping[str, Any]) -> tuple[list[Found], list[tuple[str, str]]]:
    """Every statement of a template (SAM or plain CloudFormation), and every managed policy (where, name or ARN)."""
    found: list[Found] = []
    managed: list[tuple[str, str]] = []
    for logical_id, resource in (document.get("Resources") or {}).items():
        kind = resource.get("Type", "")
        props = resource.get("Properties") or {}
        under: Under = ((resource["Condition"], True),) if "Condition" in resource else ()
        if kind in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            for item in _sam_policies(logical_id, props.get("Policies") or [], under):
                if isinstance(item, str):
                    managed.append((logical_id, item))
                else:
                    found.append(item)
        elif kind == "AWS::IAM::Role":
            for policy in props.get("Policies") or []:
                for chosen, chosen_under in branches(policy, under):
                    if isinstance(chosen, Mapping):
                        found.extend(_document_statements(logical_id, chosen.get("PolicyDocument"), True, chosen_under))
            for arn, arn_under in branches(props.get("ManagedPolicyArns") or [], under):
                for item in arn if isinstance(arn, list) else [arn]:
                    for one, _ in branches(item, arn_under):
                        managed.append((logical_id, _arn_text(one)))
        elif kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found.extend(_document_statements(logical_id, props.get("PolicyDocument"), True, under))
        elif kind in _RESOURCE_POLICIES:
            found.extend(_document_statements(logical_id, props.get(_RESOURCE_POLICIES[kind]), False, under))
    return found, managed


def _arn_text(value: Any) -> str:
    """A managed policy ARN as text (``Fn::Sub`` strings kept as written)."""
    if isinstance(value, Mapping) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return str(sub[0] if isinstance(sub, list) else sub)
    return str(value)


def managed_name(arn: str) -> str:
    """``service-role/AWSLambdaBasicExecutionRole`` from ``arn:<partition>:iam::aws:policy/service-role/...``."""
    marker = ":iam::aws:policy/"
    return arn.split(marker, 1)[1] if marker in arn else arn


def _covers_scan(action: str) -> bool:
    return fnmatchcase("dynamodb:scan", action.lower())


def violations(found: list[Found], managed: list[tuple[str, str]]) -> list[str]:
    """Every broken rule, as a line that says where and what."""
    problems: list[str] = []
    for item in found:
        if item.statement.get("Effect", "Allow") != "Allow":
            continue
        label = f"{item.where} Sid={item.sid or '(none)'}"
        actions = item.actions
        if item.identity and any(_covers_scan(a) for a in actions):
            problems.append(f"{label}: grants dynamodb:Scan ({actions})")
        starred = [a for a in actions if "*" in a]
        if starred and item.sid not in STAR_ALLOWED:
            problems.append(f"{label}: * in an action {starred}")
        if item.identity and "*" in item.resources and item.sid not in STAR_ALLOWED:
            problems.append(f"{label}: Resource * for {actions}")
        if item.identity and ("NotAction" in item.statement or "NotResource" in item.statement):
            problems.append(f"{label}: NotAction/NotResource in an Allow")
        for service, condition in SERVICE_CONDITIONS.items():
            if any(a.lower().startswith(f"{service}:") for a in actions) and (condition, True) not in item.conditions:
                problems.append(f"{label}: {service} actions outside !If {condition} ({actions})")
    for where, arn in managed:
        if managed_name(arn) not in MANAGED_ALLOWED:
            problems.append(f"{where}: managed policy {arn} is not in MANAGED_ALLOWED")
    return problems
