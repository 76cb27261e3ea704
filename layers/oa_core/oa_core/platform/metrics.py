"""Business metrics as CloudWatch embedded-metric-format lines (Powertools), one per event.

Imported lazily at the first metric, so a cold start does not pay for it. Locally the stack sets
POWERTOOLS_METRICS_DISABLED, and Powertools prints nothing.
"""

from __future__ import annotations

import os


def count(name: str, **dimensions: str) -> None:
    """Count one occurrence of `name` (e.g. DocumentsSubmitted, Decisions, StepFailures)."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(
        name=name,
        unit=MetricUnit.Count,
        value=1,
        namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "OA"),
        default_dimensions=dimensions or None,
    ):
        pass
