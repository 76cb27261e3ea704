"""Exchange with other units' systems, trusted by the HMAC signature, no sign-in.

``POST /exchange/inbound`` (收文 from another unit: incoming.exchange, 401, 422 or 2xx {"receipt_id"}) and
``POST /exchange/receipts`` (办结回执 of our 对外发送: outgoing.concluded); and, invoked by IncomingFlow
after 归档, the 办结回执 we send the unit a 收文 came from (incoming.concluded_receipt), this function
alone holding the exchange key. The log line names the route, the status and the delivery's hash, never
the signature or the body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.incoming import concluded_receipt, exchange
from oa_core.outgoing import concluded
from oa_core.platform import audit
from oa_core.platform.http import with_edge_headers
from oa_core.platform.lambda_support import step_handler

logger = Logger(service="oa")
RECEIPTS_ROUTE = "/exchange/receipts"


@step_handler(concluded_receipt.ReceiptEvent)
def send_receipt(event: concluded_receipt.ReceiptEvent) -> dict[str, Any]:
    return concluded_receipt.handle(event)


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "action" in event:  # IncomingFlow, not API Gateway
        return dict(send_receipt(event, context))
    with audit.from_event(event):  # every audit record of this call names its source
        headers = {str(k): str(v) for k, v in (event.get("headers") or {}).items()}
        raw = event.get("body") or ""
        try:
            body = base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else raw.encode("utf-8")
        except (binascii.Error, ValueError):
            body = b""  # what no sender signed: refused as a bad signature
        receipts = event.get("resource") == RECEIPTS_ROUTE or event.get("path") == RECEIPTS_ROUTE
        answer = concluded.record(headers, body) if receipts else exchange.receive(headers, body)
    delivery = next((v for k, v in headers.items() if k.lower() == "x-oa-delivery"), "")
    logger.info(
        "exchange inbound",
        extra={
            "route": event.get("resource", ""),
            "status": answer.status,
            "delivery_sha256": hashlib.sha256(delivery.encode("utf-8")).hexdigest()[:16] if delivery else "",
        },
    )
    return with_edge_headers(
        event,
        {
            "statusCode": answer.status,
            "headers": {"Content-Type": "application/json; charset=utf-8"},
            "body": json.dumps(answer.body, ensure_ascii=False),
            "isBase64Encoded": False,
        },
    )
