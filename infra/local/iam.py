"""IAM for the local stack: a function's DynamoDB requests are allowed only as its template policies allow.

moto serves every request of every caller, while AWS refuses what a function's role does not grant,
so a missing permission would show only once deployed. While the local stack runs a function
(``lambda_dispatch.invoke_handler`` is ``acting_as`` its `Policy`), each DynamoDB request it makes is
matched against the statements of its ``Policies`` in template.yaml (SAM policy templates expanded as
SAM expands them, intrinsics resolved locally); an action on a table or index that no statement
allows is refused with ``AccessDeniedException``, as DynamoDB refuses it. Requests made outside an
invocation (tests, seeding, ops scripts with their own credentials) are not checked.

IAM's view of the DynamoDB API, which is what is checked: ``TransactWriteItems`` needs, per item,
``ConditionCheckItem``, ``PutItem``, ``UpdateItem`` or ``DeleteItem`` on that item's table;
``TransactGetItems`` needs ``GetItem`` per item; ``BatchGetItem`` and ``BatchWriteItem`` are
actions of their own on each table named; a ``Query`` or ``Scan`` of an index is an action on
``table/<name>/index/<index>``. Not modelled: conditions of statements (an Allow with a Condition
allows), ``NotAction``/``NotResource``, managed policies named by ARN (their content is not in the
template), and services other than DynamoDB.

``OA_LOCAL_IAM_TRACE=<file>`` appends one JSON line per checked request (function, action, resource,
allowed): what the functions actually used in a run, to compare with what the template grants.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from typing import TYPE_CHECKING, Any
from unittest import mock

from moto.core.exceptions import JsonRESTError
from moto.dynamodb.responses import DynamoHandler

from infra.local.template import partition_of

if TYPE_CHECKING:
    from infra.local.template import Template

_TRANSACT_ITEM_ACTIONS = {
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "Get": "dynamodb:GetItem",
}


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    return (str(value),)


@dataclass(frozen=True)
class Statement:
    """One statement of an identity policy: its effect, actions and resources (wildcards as in IAM)."""

    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def matches(self, action: str, resource: str) -> bool:
        """Action names match case-insensitively, resource ARNs case-sensitively; ``*`` and ``?`` are wildcards."""
        return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in self.actions) and any(
            fnmatchcase(resource, pattern) for pattern in self.resources
        )


@dataclass(frozen=True)
class Policy:
    """What one function's role allows: the statements of all its policies."""

    principal: str
    statements: tuple[Statement, ...]

    def allows(self, action: str, resource: str) -> bool:
        """An explicit Deny wins; otherwise some Allow must match (IAM's default is deny)."""
        matching = [statement for statement in self.statements if statement.matches(action, resource)]
        return any(s.effect == "Allow" for s in matching) and not any(s.effect == "Deny" for s in matching)


def statements_of(document: Mapping[str, Any]) -> list[Statement]:
    """The statements of a resolved policy document (``{"Statement": [...]}`` or one statement)."""
    raw = document.get("Statement", [])
    entries = raw if isinstance(raw, list) else [raw]
    return [
        Statement(
            sid=str(entry.get("Sid", "")),
            effect=str(entry.get("Effect", "Allow")),
            actions=_strings(entry.get("Action")),
            resources=_strings(entry.get("Resource")),
        )
        for entry in entries
        if isinstance(entry, Mapping)
    ]


@cache
def _policy_templates() -> Any:
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

    return PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())


def policy_of(template: Template, logical_id: str) -> Policy:
    """A function's policy from its ``Policies`` in the template, resolved for the local account."""
    entries = template.properties(logical_id).get("Policies") or []
    if not isinstance(entries, list):
        entries = [entries]
    statements: list[Statement] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue  # a managed policy by name or ARN: its statements are not in the template
        if "Statement" in entry:
            statements.extend(statements_of(entry))
            continue
        ((name, parameters),) = entry.items()
        expanded = _policy_templates().convert(name, parameters or {})
        statements.extend(statements_of(template.resolve(expanded)))
    return Policy(principal=logical_id, statements=tuple(statements))


def table_arn(table: str, region: str, account: str) -> str:
    return (
        table if table.startswith("arn:") else f"arn:{partition_of(region)}:dynamodb:{region}:{account}:table/{table}"
    )


def requested(operation: str, params: Mapping[str, Any], region: str, account: str) -> list[tuple[str, str]]:
    """The (action, resource) pairs IAM evaluates for one DynamoDB request."""
    if operation in ("TransactWriteItems", "TransactGetItems"):
        pairs = []
        for item in params.get("TransactItems") or []:
            for kind, body in item.items():
                pairs.append((_TRANSACT_ITEM_ACTIONS[kind], table_arn(str(body["TableName"]), region, account)))
        return pairs
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", table_arn(str(t), region, account)) for t in params.get("RequestItems") or {}]
    table = params.get("TableName")
    if table is None:
        return [(f"dynamodb:{operation}", "*")]
    resource = table_arn(str(table), region, account)
    if operation in ("Query", "Scan") and params.get("IndexName"):
        resource = f"{resource}/index/{params['IndexName']}"
    return [(f"dynamodb:{operation}", resource)]


_acting: ContextVar[Policy | None] = ContextVar("oa_local_iam_policy", default=None)
_trace_lock = threading.Lock()


@contextmanager
def acting_as(policy: Policy | None) -> Iterator[None]:
    """Requests made meanwhile, on this thread or context, are the function's (None: not checked)."""
    token = _acting.set(policy)
    try:
        yield
    finally:
        _acting.reset(token)


def _trace(policy: Policy, action: str, resource: str, allowed: bool) -> None:
    path = os.environ.get("OA_LOCAL_IAM_TRACE")
    if not path:
        return
    line = json.dumps({"function": policy.principal, "action": action, "resource": resource, "allowed": allowed})
    with _trace_lock, open(path, "a", encoding="utf-8") as trace:  # noqa: PTH123 - one line appended
        trace.write(line + "\n")


def check(operation: str, params: Mapping[str, Any], region: str, account: str) -> None:
    """Refuse the request as DynamoDB would when the acting function's policy does not allow it."""
    policy = _acting.get()
    if policy is None:
        return
    for action, resource in requested(operation, params, region, account):
        allowed = policy.allows(action, resource)
        _trace(policy, action, resource, allowed)
        if not allowed:
            raise JsonRESTError(
                "AccessDeniedException",
                f"User: {policy.principal}Role is not authorized to perform: {action} on resource: {resource} "
                "because no identity-based policy allows the action (template.yaml, the function's Policies)",
            )


@contextmanager
def enforcing() -> Iterator[None]:
    """While active, DynamoDB requests made by a function acting under a policy are checked."""
    original = DynamoHandler._authenticate_and_authorize_normal_action

    def authorize(self: DynamoHandler, resource: str = "*") -> None:
        original(self, resource)
        body = self.body if isinstance(self.body, Mapping) else {}
        check(self._get_action(), body, self.region, self.current_account)

    with mock.patch.object(DynamoHandler, "_authenticate_and_authorize_normal_action", authorize):
        yield
