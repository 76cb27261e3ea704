"""收文 from another unit's system: ``POST /exchange/inbound``, trusted by its HMAC signature, no sign-in.

Thin: the body and headers go to incoming.exchange, which answers 401, 422 or 2xx {"receipt_id"}.
The log line names the route, the status and the delivery's hash, never the signature or the body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.incoming import exchange
from oa_core.platform import audit
from oa_core.platform.http import with_edge_headers

logger = Logger(service="oa")


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with audit.from_event(event):  # every audit record of this call names its source
        headers = {str(k): str(v) for k, v in (event.get("headers") or {}).items()}
        raw = event.get("body") or ""
        try:
            body = base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else raw.encode("utf-8")
        except (binascii.Error, ValueError):
            body = b""  # what no sender signed: refused as a bad signature
        answer = exchange.receive(headers, body)
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
