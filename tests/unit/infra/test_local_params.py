"""make run PARAMS=… reads template parameter overrides as sam deploy --parameter-overrides does (CONTRACT.md)."""

from __future__ import annotations

import pytest

from infra.local.server import parameter_overrides, parse_args


def test_pairs_separated_by_spaces_are_overrides_and_a_value_may_hold_equals_signs() -> None:
    text = "OrgName=示例市教育局 DeliveryChannel=webhook DeliveryWebhookUrl=http://127.0.0.1:3001/exchange/inbound?a=b"
    assert parameter_overrides([], text) == {
        "OrgName": "示例市教育局",
        "DeliveryChannel": "webhook",
        "DeliveryWebhookUrl": "http://127.0.0.1:3001/exchange/inbound?a=b",
    }


def test_quotes_keep_spaces_in_a_value_and_the_long_form_is_read_too() -> None:
    text = 'OrgName="示例市 教育局" ParameterKey=IssuerCode,ParameterValue=示教发'
    assert parameter_overrides([], text) == {"OrgName": "示例市 教育局", "IssuerCode": "示教发"}


def test_a_repeated_param_flag_overrides_the_params_string() -> None:
    assert parameter_overrides(["OrgName=乙"], "OrgName=甲 PORT=1") == {"OrgName": "乙", "PORT": "1"}


@pytest.mark.parametrize("bad", ["OrgName", "=x", 'OrgName="unclosed', "Org-Name=x"])
def test_a_word_that_is_no_override_is_refused_with_its_text(bad: str) -> None:
    with pytest.raises(SystemExit, match=r"expected Name=Value|PARAMS"):
        parameter_overrides([], bad)


def test_make_run_hands_params_over_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OA_LOCAL_PARAMS", "DeliveryChannel=webhook")
    args = parse_args([])
    assert parameter_overrides(args.param, args.params) == {"DeliveryChannel": "webhook"}
