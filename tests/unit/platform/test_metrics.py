"""Business metrics leave the function as CloudWatch embedded-metric-format lines."""

from __future__ import annotations

import json

import pytest

from oa_core.platform import metrics


def test_a_count_is_one_emf_line_with_its_dimensions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "OA-test")
    metrics.count("Decisions", step="sign", decision="approve")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["Decisions"] == [1.0]
    assert line["step"] == "sign" and line["decision"] == "approve"
    assert line["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "OA-test"
