"""审批链接 pages: GET shows the document and a form, the form's POST decides once. No sign-in."""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.platform import audit
from oa_core.platform.http import PATH_ID, with_edge_headers
from oa_core.web import approvals

logger = Logger(service="oa")


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with audit.from_event(event):  # every audit record of this request names its source
        return _handle(event)


def _handle(event: dict[str, Any]) -> dict[str, Any]:
    link_id = str((event.get("pathParameters") or {}).get("link_id", ""))
    if not PATH_ID.fullmatch(link_id):
        link_id = ""  # no link is that long or holds such characters: shown as an invalid link
    method = event.get("httpMethod", "GET")
    no = str((event.get("pathParameters") or {}).get("no", ""))
    if method == "GET" and no:
        status, headers, html = approvals.open_attachment(link_id, no)
    elif method == "POST":
        body = event.get("body") or ""
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8", errors="replace")  # a bad byte fails as a bad field
        status, headers, html = approvals.submit(link_id, body)
    else:
        status, headers, html = approvals.show(link_id)
    logger.info("approval page", extra={"method": method, "status": status})
    return with_edge_headers(event, {"statusCode": status, "headers": headers, "body": html, "isBase64Encoded": False})
