"""make cost: the monthly estimate is the counts of make bench × a unit's month × the price table,
and missing counts fail with a message that says what to run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.bench import cost
from infra.bench.cost import CostError, Counts, Line, Profile, lines, load_counts, monthly_units, region_table
from infra.bench.prices import CN_NORTH_1, CNY_PER_USD, REGIONS, US_EAST_1

NO_FIXED = {"kms_keys": 1, "secrets": 1, "alarms": 0, "dashboards": 0, "alarms_planned": 39}


def unit(**overrides: Any) -> dict[str, Any]:
    """A unit of work that asks AWS for nothing, but what ``overrides`` say."""
    base: dict[str, Any] = {
        "transitions": {},
        "history_events": {},
        "executions": {},
        "invocations": {},
        "api_requests": {},
        "dynamodb": {"read_requests": 0, "write_requests": 0, "read_units": 0, "write_units": 0, "stored_bytes": 0},
        "s3": {"class_a_requests": 0, "class_b_requests": 0, "bytes_put": 0},
        "ses": {"send_requests": 0, "recipients": 0, "bytes": 0},
        "requests": {},
        "log_bytes": 0,
        "metric_emissions": 0,
    }
    return {**base, **overrides}


def counts_document(**units: dict[str, Any]) -> dict[str, Any]:
    every = {"document_k0": unit(), "booking": unit(), "meeting_approval": unit(), "reminder_run": unit()}
    return {"schema": 1, "measured_at": "2026-12-02T00:00Z", "commit": "abc1234", "units": {**every, **units}}


ONE_KIND = Profile(countersigners_mix={0: 1.0})
"""50 documents a day, all without countersigners; 22 working days: 1,100 documents a month."""


def line_of(priced: list[Line], key: str) -> Line:
    return next(line for line in priced if line.price.key == key)


def test_the_step_functions_line_is_the_months_transitions_beyond_the_free_tier_times_the_price() -> None:
    counts = Counts.model_validate(
        counts_document(document_k0=unit(transitions={"DocumentFlow": 9, "DeliveryFlow": 11}))
    )
    step_functions = line_of(lines(counts, ONE_KIND, US_EAST_1, NO_FIXED), "sfn_transitions")
    # By hand: 20 transitions × 1,100 documents = 22,000; 4,000 free; 18,000 / 1,000 × $0.025 = $0.45.
    assert step_functions.quantity == 22_000
    assert step_functions.cost() == pytest.approx(0.45)
    table, total = region_table(US_EAST_1, [step_functions])
    assert "| 22,000 transitions | $0.025 per 1,000 transitions (first 4,000 free) | $0.45 |" in table
    assert total == pytest.approx(0.45)


def test_lambda_compute_is_handler_time_plus_a_cold_init_at_the_functions_memory() -> None:
    invoked = {"TypesetFunction": {"count": 1, "seconds": 2.0, "memory_mb": 1024}}
    counts = Counts.model_validate({**counts_document(document_k0=unit(invocations=invoked)), "cold_init_ms": {}})
    compute = line_of(lines(counts, ONE_KIND, US_EAST_1, NO_FIXED), "lambda_gb_seconds")
    assert compute.quantity == pytest.approx(1_100 * (2.0 + ONE_KIND.default_init_seconds) * 1.0)


def test_a_month_is_the_mix_of_documents_the_bookings_the_approvals_and_the_hourly_reminders() -> None:
    counts = Counts.model_validate(counts_document(document_k1=unit(), document_k3=unit()))
    assert dict(monthly_units(counts, Profile())) == {
        "document_k0": pytest.approx(440),
        "document_k1": pytest.approx(440),
        "document_k3": pytest.approx(220),
        "booking": 660,
        "meeting_approval": 440,
        "reminder_run": 720,
    }


def test_missing_counts_fail_naming_the_unit_and_what_to_run() -> None:
    counts = Counts.model_validate(counts_document())
    with pytest.raises(CostError, match=r"document_k1, document_k3.*make bench"):
        monthly_units(counts, Profile())


def test_an_incomplete_unit_fails_naming_the_field(tmp_path: Path) -> None:
    broken = counts_document()
    del broken["units"]["booking"]["dynamodb"]
    path = tmp_path / "bench-results.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(CostError, match=r"units\.booking\.dynamodb.*make bench"):
        load_counts(path)


def test_no_counts_file_says_to_run_make_bench(tmp_path: Path) -> None:
    with pytest.raises(CostError, match="make bench"):
        load_counts(tmp_path / "absent.json")


def test_a_service_not_offered_in_china_is_not_billed_and_the_table_says_so() -> None:
    counts = Counts.model_validate(
        counts_document(document_k0=unit(ses={"send_requests": 2, "recipients": 4, "bytes": 9}))
    )
    email = line_of(lines(counts, ONE_KIND, CN_NORTH_1, NO_FIXED), "ses_emails")
    assert email.cost() is None
    assert "not offered" in region_table(CN_NORTH_1, [email])[0]


def test_the_alarms_are_the_templates_or_else_the_issues_list() -> None:
    template = {
        "Resources": {
            **{f"F{n}": {"Type": "AWS::Serverless::Function"} for n in range(14)},
            **{f"M{n}": {"Type": "AWS::Serverless::StateMachine"} for n in range(3)},
            "SealKey": {"Type": "AWS::KMS::Key"},
        }
    }
    fixed = cost.template_fixed(template)
    assert (fixed["kms_keys"], fixed["alarms"], fixed["alarms_planned"]) == (1, 0, 3 * 3 + 1 + 1 + 2 * 14)
    counts = Counts.model_validate(counts_document())
    assert line_of(lines(counts, ONE_KIND, US_EAST_1, fixed), "alarms").quantity == 39


def test_every_price_names_its_source_and_china_estimates_are_the_global_price_at_the_stated_rate() -> None:
    for region in REGIONS.values():
        assert set(region.prices) == set(US_EAST_1.prices), region.code
        for price in region.prices.values():
            assert price.source and price.seen, price.key
    for key, price in CN_NORTH_1.prices.items():
        if price.estimate:
            assert price.amount == pytest.approx((US_EAST_1.prices[key].amount or 0) * CNY_PER_USD), key


def test_make_cost_prints_a_table_per_region_and_exits_2_with_the_reason_when_counts_are_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bench-results.json"
    path.write_text(json.dumps(counts_document(document_k1=unit(), document_k3=unit())), encoding="utf-8")
    assert cost.main(["--counts", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "### us-east-1" in printed and "### cn-north-1" in printed and printed.count("**total**") == 2
    assert cost.main(["--counts", str(tmp_path / "absent.json")]) == 2
    assert "make bench" in capsys.readouterr().err
