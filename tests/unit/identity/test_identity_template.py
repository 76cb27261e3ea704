"""The template keeps Cognito out of the AWS China regions, and silences cfn-lint only where that is proven.

cfn-lint reports E3006 (the resource type does not exist in the region) for the Cognito resources in
cn-north-1 and cn-northwest-1 even though their condition keeps them out there. They silence exactly
E3006 (``Metadata: cfn-lint: config: ignore_checks``); these tests evaluate the template's own
Conditions with ``AWS::Partition`` = ``aws-cn`` for every allowed value of every parameter the
conditions use, and prove that no resource that silences E3006 can exist in aws-cn, that nothing
silences any other check, and that the template's Rules refuse ``IdentityProvider=cognito`` there.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from infra.local.template import load_yaml

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = load_yaml(ROOT / "template.yaml")
CONDITIONS: dict[str, Any] = TEMPLATE["Conditions"]
PARAMETERS: dict[str, Any] = TEMPLATE["Parameters"]
CHINA_REGIONS = ("cn-north-1", "cn-northwest-1")
COGNITO = {"UserPool", "UserPoolClient", "UserPoolDomain"}


def evaluate(node: Any, values: Mapping[str, str]) -> Any:
    """A condition or rule function of the template, with ``values`` for parameters and pseudo parameters."""
    if not isinstance(node, dict) or len(node) != 1:
        return node
    ((function, argument),) = node.items()
    match function:
        case "Ref":
            return values[argument]
        case "Condition":
            return evaluate(CONDITIONS[argument], values)
        case "Fn::Equals":
            left, right = (evaluate(item, values) for item in argument)
            return str(left) == str(right)
        case "Fn::Not":
            return not evaluate(argument[0], values)
        case "Fn::And":
            return all(evaluate(item, values) for item in argument)
        case "Fn::Or":
            return any(evaluate(item, values) for item in argument)
        case "Fn::Contains":
            items, value = argument
            return str(evaluate(value, values)) in [str(evaluate(item, values)) for item in items]
    raise AssertionError(f"this test cannot evaluate {function}: teach it, or keep the condition simple")


def references(node: Any) -> set[str]:
    """The parameters and pseudo parameters a condition uses, through the conditions it names."""
    if isinstance(node, list):
        return set().union(*(references(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    if set(node) == {"Ref"}:
        return {node["Ref"]}
    if set(node) == {"Condition"}:
        return references(CONDITIONS[node["Condition"]])
    return set().union(*(references(item) for item in node.values()))


def china_cases(names: set[str]) -> Iterator[dict[str, str]]:
    """Every combination of allowed values of ``names`` in the aws-cn partition."""
    choices: dict[str, tuple[str, ...]] = {"AWS::Partition": ("aws-cn",), "AWS::Region": CHINA_REGIONS}
    for name in sorted(names - set(choices)):
        assert name in PARAMETERS, f"a condition uses {name}, which this test cannot enumerate"
        allowed = PARAMETERS[name].get("AllowedValues")
        assert allowed, f"a condition that keeps a resource out of aws-cn uses {name}, which has no AllowedValues"
        choices[name] = tuple(str(value) for value in allowed)
    used = sorted(names | {"AWS::Partition"})
    for combination in itertools.product(*(choices[name] for name in used)):
        yield dict(zip(used, combination, strict=True))


def silenced(resource: Mapping[str, Any]) -> list[str] | None:
    config = ((resource.get("Metadata") or {}).get("cfn-lint") or {}).get("config") or {}
    checks = config.get("ignore_checks")
    return None if checks is None else list(checks)


SILENCING = {
    logical_id: resource for logical_id, resource in TEMPLATE["Resources"].items() if silenced(resource) is not None
}


def test_nothing_silences_a_check_other_than_e3006() -> None:
    assert "cfn-lint" not in (TEMPLATE.get("Metadata") or {}), "no template-wide cfn-lint exception"
    assert {logical_id: silenced(resource) for logical_id, resource in SILENCING.items()} == {
        logical_id: ["E3006"] for logical_id in SILENCING
    }
    assert set(SILENCING) >= COGNITO, "the Cognito resources are among them"


def test_every_resource_that_silences_e3006_cannot_exist_in_aws_cn() -> None:
    for logical_id, resource in SILENCING.items():
        condition = resource.get("Condition")
        assert condition, f"{logical_id} silences E3006 but has no Condition keeping it out of aws-cn"
        cases = list(china_cases(references(CONDITIONS[condition])))
        assert cases
        for values in cases:
            assert evaluate(CONDITIONS[condition], values) is False, f"{logical_id} exists in aws-cn with {values}"


def test_the_cognito_resources_exist_where_cognito_is_chosen_outside_china() -> None:
    for logical_id in COGNITO:
        condition = TEMPLATE["Resources"][logical_id]["Condition"]
        assert evaluate(CONDITIONS[condition], {"AWS::Partition": "aws", "IdentityProvider": "cognito"}) is True
        assert evaluate(CONDITIONS[condition], {"AWS::Partition": "aws", "IdentityProvider": "oidc"}) is False


def failed_rules(values: Mapping[str, str]) -> list[str]:
    """The AssertDescriptions of the Rules whose condition holds and an assertion fails."""
    failed = []
    for rule in (TEMPLATE.get("Rules") or {}).values():
        if "RuleCondition" in rule and not evaluate(rule["RuleCondition"], values):
            continue
        failed += [a["AssertDescription"] for a in rule["Assertions"] if not evaluate(a["Assert"], values)]
    return failed


def test_the_rules_refuse_cognito_in_china_with_a_message_and_want_an_issuer_for_oidc() -> None:
    smtp = {"MailTransport": "smtp"}  # SES has its own Rule in aws-cn (tests/unit/test_template_partitions.py)
    oidc = {**smtp, "IdentityProvider": "oidc", "OidcIssuerUrl": "https://sso.example.gov.cn", "OidcClientId": "oa"}
    cognito = {**smtp, "IdentityProvider": "cognito", "OidcIssuerUrl": "", "OidcClientId": ""}
    (refused,) = failed_rules({**cognito, "AWS::Partition": "aws-cn"})
    assert "IdentityProvider=oidc" in refused and "中国区域" in refused
    assert failed_rules({**cognito, "AWS::Partition": "aws"}) == []
    assert failed_rules({**oidc, "AWS::Partition": "aws-cn"}) == []
    assert len(failed_rules({**oidc, "OidcIssuerUrl": "", "OidcClientId": "", "AWS::Partition": "aws-cn"})) == 2
