"""对外发送: one delivery attempt to an external unit, or the record of giving up (DeliveryFlow)."""

from typing import Any

from oa_core.outgoing import delivery
from oa_core.platform.lambda_support import step_handler


@step_handler(delivery.DeliveryEvent)
def handler(event: delivery.DeliveryEvent) -> dict[str, Any]:
    if event.action == "give_up":
        return delivery.give_up(event)
    return delivery.attempt(event)
