"""The link pages from email, no sign-in: 审批链接 (GET shows the document and a form, the form's POST
decides once) and 回执链接 (``/replies/{link_id}``: GET shows the meeting, the POST answers 参加 / 不参加)."""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.platform import audit
from oa_core.platform.http import PATH_ID, with_edge_headers
from oa_core.web import approvals, replies

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
    pages = replies if str(event.get("resource", "")).startswith("/replies/") else approvals
    no = str((event.get("pathParameters") or {}).get("no", ""))
    if method == "GET" and no and pages is approvals:
        status, headers, html = approvals.open_attachment(link_id, no)
    elif method == "POST":
        body = event.get("body") or ""
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8", errors="replace")  # a bad byte fails as a bad field
        status, headers, html = pages.submit(link_id, body)
    else:
        status, headers, html = pages.show(link_id)
    # The route template only, never the path: a link id is a credential.
    logger.info("link page", extra={"route": event.get("resource", ""), "method": method, "status": status})
    return with_edge_headers(event, {"statusCode": status, "headers": headers, "body": html, "isBase64Encoded": False})
