"""审计锚定: sign the heads of the audit chains and keep them in the Object Lock bucket; run by a schedule."""

import os
from typing import Any

from oa_core.platform import audit_trail
from oa_core.platform.events import ScheduledEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(ScheduledEvent)
def handler(event: ScheduledEvent) -> dict[str, Any]:
    # The window overlaps the previous run's, so a late or retried run leaves no chain unanchored.
    return audit_trail.anchor(int(os.environ.get("AUDIT_ANCHOR_HOURS", "3")))
