"""One template, both partitions: what the AWS China regions lack stays out of their stacks, provably.

cfn-lint reports a resource type missing in a region (E3006) even when a condition keeps the resource
out; such a resource may silence E3006 only if its condition is false in ``aws-cn`` for every allowed
choice of the parameters the conditions read (infra/checks/conditions.py), and nothing may silence
any other check. SES comes only with MailTransport ses outside aws-cn, where the Rules refuse ses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.checks.conditions import choices, condition_values, holds_somewhere, rule_refusals
from infra.local.template_yaml import load_yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
DOCUMENT = load_yaml(TEMPLATE)
CONDITIONS = DOCUMENT.get("Conditions") or {}


def _ignored_checks(metadata: Any) -> list[str]:
    config = ((metadata or {}).get("cfn-lint") or {}).get("config") or {}
    return [str(check) for check in config.get("ignore_checks") or []]


SILENCING = {
    logical_id: _ignored_checks(resource.get("Metadata"))
    for logical_id, resource in DOCUMENT["Resources"].items()
    if _ignored_checks(resource.get("Metadata"))
}


def test_the_ses_identity_is_one_of_the_resources_that_silence_e3006() -> None:
    assert SILENCING.get("MailSenderIdentity") == ["E3006"]


@pytest.mark.parametrize("logical_id", sorted(SILENCING))
def test_a_resource_silencing_e3006_is_kept_out_of_aws_cn_for_every_choice_of_parameters(logical_id: str) -> None:
    resource = DOCUMENT["Resources"][logical_id]
    assert SILENCING[logical_id] == ["E3006"], f"{logical_id} silences {SILENCING[logical_id]}: only E3006 may be"
    condition = resource.get("Condition")
    assert condition, f"{logical_id} silences E3006 but has no Condition"
    assert not holds_somewhere(DOCUMENT, condition, "aws-cn"), f"{condition} can be true in aws-cn"
    # ...and it is a real condition: somewhere in the global partition the resource exists.
    assert holds_somewhere(DOCUMENT, condition, "aws"), f"{condition} is never true: {logical_id} is dead"


def test_no_check_is_silenced_for_the_whole_template() -> None:
    assert _ignored_checks(DOCUMENT.get("Metadata")) == []


def test_every_choice_of_parameters_is_tried_for_the_conditions() -> None:
    tried = list(choices(DOCUMENT, CONDITIONS))
    # MailTransport (ses, smtp) and Tracing (auto, on, off) take every allowed value.
    assert {(c["MailTransport"], c["Tracing"]) for c in tried} == {
        (mail, tracing) for mail in ("ses", "smtp") for tracing in ("auto", "on", "off")
    }
    # A free-text parameter: the literal compared with ("") and another value.
    assert {c["OpsEmail"] for c in tried} == {"", "any-other-value"}


def test_ses_is_used_only_with_mail_transport_ses_outside_aws_cn() -> None:
    defaults = next(choices(DOCUMENT, {}))
    assert condition_values(DOCUMENT, "aws", {**defaults, "MailTransport": "ses"})["UseSes"]
    assert not condition_values(DOCUMENT, "aws", {**defaults, "MailTransport": "smtp"})["UseSes"]
    assert not condition_values(DOCUMENT, "aws-cn", {**defaults, "MailTransport": "ses"})["UseSes"]


def test_the_rules_refuse_ses_in_aws_cn_with_a_message_that_says_what_to_do() -> None:
    # In aws-cn the identity provider must be oidc (its own Rule); only the mail transport varies here.
    oidc = {"IdentityProvider": "oidc", "OidcIssuerUrl": "https://sso.example.gov.cn", "OidcClientId": "oa"}
    defaults = {**next(choices(DOCUMENT, {})), **oidc}
    refused = rule_refusals(DOCUMENT, "aws-cn", {**defaults, "MailTransport": "ses"})
    assert len(refused) == 1
    assert "MailTransport=smtp" in refused[0]
    assert rule_refusals(DOCUMENT, "aws-cn", {**defaults, "MailTransport": "smtp", "SmtpHost": "smtp.example.cn"}) == []
    assert rule_refusals(DOCUMENT, "aws", {**defaults, "MailTransport": "ses"}) == []


@pytest.mark.parametrize(
    ("partition", "tracing", "traced"),
    [
        ("aws", "auto", True),
        ("aws-cn", "auto", False),
        ("aws-cn", "on", True),
        ("aws", "off", False),
    ],
)
def test_x_ray_tracing_is_on_where_offered_unless_forced(partition: str, tracing: str, traced: bool) -> None:
    defaults = next(choices(DOCUMENT, {}))
    assert condition_values(DOCUMENT, partition, {**defaults, "Tracing": tracing})["HasXRay"] is traced
