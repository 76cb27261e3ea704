"""The template's Conditions and Rules evaluated as CloudFormation would, in a partition, for every choice.

cfn-lint flags a resource type that a region lacks (E3006) even when a condition keeps the resource out
of that region's stacks; such a resource may silence E3006 only if its condition is false in the
``aws-cn`` partition whatever the parameters (tests/unit/test_template_partitions.py). "Whatever the
parameters" is made finite: a parameter the conditions read takes each of its ``AllowedValues``, or,
free text, each literal the conditions compare it with and one value different from all of them;
`choices` yields every combination. The intrinsic functions are the local stack's
(infra/local/intrinsics.py), with ``AWS::Partition`` (and ``AWS::URLSuffix``) of the partition asked for.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from infra.local.intrinsics import Resolver

OTHER_TEXT = "any-other-value"
"""A free-text parameter's value that no condition compares it with."""

_URL_SUFFIX = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn"}
_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1"}


class PartitionResolver(Resolver):
    """The local resolver, in a partition of our choice."""

    def __init__(self, document: Mapping[str, Any], parameters: Mapping[str, str], partition: str) -> None:
        super().__init__(
            dict(document),
            {},
            dict(parameters),
            region=_REGION.get(partition, "us-east-1"),
            account_id="123456789012",
            stack_name="oa-check",
        )
        self.partition = partition

    def ref(self, name: str) -> Any:
        if name == "AWS::Partition":
            return self.partition
        if name == "AWS::URLSuffix":
            return _URL_SUFFIX.get(self.partition, "amazonaws.com")
        return super().ref(name)


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        if set(value) == {"Ref"}:
            yield str(value["Ref"])
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _compared_literals(value: Any, parameter: str) -> Iterator[str]:
    """Literals an ``Fn::Equals`` compares ``parameter`` with."""
    if isinstance(value, Mapping):
        if set(value) == {"Fn::Equals"}:
            left, right = value["Fn::Equals"]
            for ref, other in ((left, right), (right, left)):
                if ref == {"Ref": parameter} and not isinstance(other, Mapping | list):
                    yield str(other)
        for item in value.values():
            yield from _compared_literals(item, parameter)
    elif isinstance(value, list):
        for item in value:
            yield from _compared_literals(item, parameter)


def candidate_values(document: Mapping[str, Any], parameter: str, within: Any) -> list[str]:
    """The values of ``parameter`` worth trying for the expressions ``within``."""
    spec = (document.get("Parameters") or {}).get(parameter) or {}
    if "AllowedValues" in spec:
        return [str(value) for value in spec["AllowedValues"]]
    literals = list(dict.fromkeys(_compared_literals(within, parameter)))
    return [*literals, OTHER_TEXT] if OTHER_TEXT not in literals else literals


def _defaults(document: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(spec.get("Default", "")) for name, spec in (document.get("Parameters") or {}).items()}


def choices(document: Mapping[str, Any], within: Any) -> Iterator[dict[str, str]]:
    """Every combination of the candidate values of the parameters ``within`` reads (others at their default)."""
    declared = document.get("Parameters") or {}
    used = sorted({name for name in _refs(within) if name in declared})
    candidates = [candidate_values(document, name, within) for name in used]
    for combination in itertools.product(*candidates):
        yield {**_defaults(document), **dict(zip(used, combination, strict=True))}


def condition_values(document: Mapping[str, Any], partition: str, parameters: Mapping[str, str]) -> dict[str, bool]:
    """Every condition of the template, for one choice of parameters in a partition."""
    resolver = PartitionResolver(document, parameters, partition)
    return {name: resolver.condition(name) for name in document.get("Conditions") or {}}


def holds_somewhere(document: Mapping[str, Any], condition: str, partition: str) -> bool:
    """Whether some choice of parameters makes ``condition`` true in ``partition``."""
    conditions = document.get("Conditions") or {}
    return any(
        PartitionResolver(document, parameters, partition).condition(condition)
        for parameters in choices(document, conditions)
    )


def rule_refusals(document: Mapping[str, Any], partition: str, parameters: Mapping[str, str]) -> list[str]:
    """The ``AssertDescription`` of every rule whose condition holds and an assertion fails."""
    resolver = PartitionResolver(document, parameters, partition)
    refused = []
    for rule in (document.get("Rules") or {}).values():
        if "RuleCondition" in rule and not resolver.resolve(rule["RuleCondition"]):
            continue
        for assertion in rule.get("Assertions") or []:
            if not resolver.resolve(assertion["Assert"]):
                refused.append(str(assertion.get("AssertDescription", "")))
    return refused
